/*
 * inspect(addr) for mmap-pages: what one block's mapping holds at an address. A block's mapping
 * starts with its 16-byte header (magic^base, offset, size, pages), then padding up to the user
 * pointer (memalign, or the push against a guard page), the requested bytes, the slack up to the
 * data end, and with `guardPage` one PROT_NONE page. The header is found as blockAt finds it: the
 * nearest page of ours at or below the address that reads magic^page.
 */

import { PROT_NONE, PROT_READ, hex, type Inspection } from '@heaplab/core';
import type { MmapPagesAllocator } from './mmap-pages.js';
import { HEADER, MAGIC } from './mmap-pages.js';

/** What `a` keeps at `addr`, or undefined when the address is not in one of its mappings. */
export function inspectMmapPages(a: MmapPagesAllocator, addr: number, brief = false): Inspection | undefined {
  const space = a.space;
  if (!(Number.isInteger(addr) && addr > 0 && addr < space.size) || !a.owns(addr)) return undefined;
  const ps = space.pageSize;
  const page = Math.floor(addr / ps) * ps;
  const chain = [a.identity.label];
  if (space.protAt(addr) === PROT_NONE) {
    const block = a.blockAt(page - 1);
    return { kind: 'guard', start: page, size: ps, block, details: [['page', 'PROT_NONE guard page after a block: an overflow past the block faults here'], ['block', block ? `${hex(block.base)} (${block.size} bytes usable)` : 'none']], chain };
  }
  const u32 = space.u32;
  let base = -1;
  for (let p = page; p > 0 && a.owns(p); p -= ps) {
    if (space.protAt(p) & PROT_READ && u32[p >>> 2] === ((MAGIC ^ p) >>> 0)) {
      base = p;
      break;
    }
  }
  if (base < 0) return undefined;
  const w = base >>> 2;
  const offset = u32[w + 1]!;
  const requested = u32[w + 2]!;
  const pages = u32[w + 3]!;
  const guard = a.options.guardPage ? 1 : 0;
  const ptr = base + offset;
  const dataEnd = base + (pages - guard) * ps;
  const block = { base: ptr, size: dataEnd - ptr };
  const details: [string, string][] = brief ? [] : [
    ['mapping', `${hex(base)}–${hex(base + pages * ps)}: ${pages} page${pages === 1 ? '' : 's'}${guard ? ', the last a guard page' : ''}`],
    ['requested', `${requested} bytes`],
    ['usable', `${dataEnd - ptr} bytes`],
    ['header', `at ${hex(base)}: magic^base, offset ${offset}, size ${requested}, pages ${pages}`],
  ];
  const run = (kind: Inspection['kind'], start: number, end: number): Inspection => ({ kind, start, size: end - start, block, details, chain });
  if (addr < base + HEADER) return run('header', base, base + HEADER);
  if (addr < ptr) return run('slack', base + HEADER, ptr);
  if (addr < ptr + requested) return run('live', ptr, ptr + requested);
  return run('slack', ptr + requested, dataEnd);
}
