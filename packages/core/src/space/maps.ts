/*
 * maps(): the space's mappings in /proc/<pid>/maps form, as a person reads them in the slides:
 *
 *   00400000-00452000 rw-p 00000000 00:00 0          [heap] dlmalloc-style#3
 *   fffe0000-ffff0000 ---p 00000000 00:00 0          zoned-classes#4
 *
 * A line is a run of pages that are mapped with one protection and one owner, starting at a
 * START page (the first page of an mmap call or of a split) — so munmap of the middle of a
 * mapping shows two lines, as on Linux. Addresses are printed as Linux's %08lx: at least 8 hex
 * digits, 12 for the top of a 2^47 space (7ffffffff000). collectMappings reads a flat space's
 * tables; a paged space collects its own (paged-kernel.ts).
 */

import type { Mapping } from '../api.js';
import { PAGE_HEAP, PAGE_MAPPED, PAGE_READ, PAGE_START, PAGE_WRITE } from './layout.js';
import type { AddressSpace } from './address-space.js';

/** The mappings among pages [p0, p1). */
export function collectMappings(space: AddressSpace, p0: number, p1: number): Mapping[] {
  const out: Mapping[] = [];
  const flags = space.flags;
  const owner = space.pageOwner;
  const bm = space.bitmap;
  const shift = space.pageShift;
  const key = PAGE_READ | PAGE_WRITE | PAGE_HEAP;
  let cur: Mapping | null = null;
  let curKey = -1;
  let p = p0;
  while (p < p1) {
    if ((p & 31) === 0 && bm[p >>> 5] === 0 && p + 32 <= p1) {
      cur = null;
      p += 32;
      continue;
    }
    const f = flags[p]!;
    if (!(f & PAGE_MAPPED)) {
      cur = null;
      p++;
      continue;
    }
    const o = owner[p]!;
    const k = f & key;
    if (cur && !(f & PAGE_START) && k === curKey && o === cur.owner) {
      cur.end = ((p + 1) << shift) >>> 0 || 2 ** 32;
    } else {
      cur = {
        start: (p << shift) >>> 0,
        end: (((p + 1) << shift) >>> 0) || 2 ** 32,
        prot: (f >>> 1) & 3,
        heap: (f & PAGE_HEAP) !== 0,
        owner: o,
        ownerName: space.ownerLabel(o),
      };
      curKey = k;
      out.push(cur);
    }
    p++;
  }
  return out;
}

function hex8(n: number): string {
  return n.toString(16).padStart(8, '0');
}

/** Formats mappings as /proc/<pid>/maps lines. */
export function formatMaps(mappings: readonly Mapping[]): string {
  let s = '';
  for (const m of mappings) {
    const perms = (m.prot & 1 ? 'r' : '-') + (m.prot & 2 ? 'w' : '-') + '-p';
    const name = [m.heap ? '[heap]' : '', m.ownerName].filter(Boolean).join(' ');
    s += `${hex8(m.start)}-${hex8(m.end)} ${perms} 00000000 00:00 0${name ? ' '.repeat(10) + name : ''}\n`;
  }
  return s;
}
