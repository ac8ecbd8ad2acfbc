/*
 * inspect(addr) for bump-freestack: what the heap keeps at an address, read from the page map
 * (PMAP: each page's run or large-block record, see layout.ts). A run page gives the block of
 * its class at the address and the block's meta word: never carved (unused), live (its requested
 * bytes, then the slack to the class size), or free — then whether it waits in a worker's cache
 * (the caches are scanned) or on the class's shared free stack (its top is shown). A large block's
 * pages give its requested bytes and slack. Other pages of ours: the metadata region, metadata
 * chunks, or bump memory not yet carved into runs. The free stacks are not walked: their links
 * live in the freed blocks and their encoding is the free-list code's business.
 */

import { hex, type Inspection } from '@heaplab/core';
import type { BumpFreestackAllocator } from './bump-freestack.js';
import { C_HEAD, C_QUEUED, HDR, WINDOW_BYTES, KIND_LARGE, KIND_RUN, L_BASE, L_PAGES, L_REQUESTED, RUN_HEADER_WORDS, R_BLOCKS, R_CLASS, R_START, STATE_FREE, STATE_LIVE, S_STATE } from './layout.js';

/** The worker slot whose cache holds the block at `ptr` of class `c`, or −1. */
function cacheHolding(a: BumpFreestackAllocator, c: number, ptr: number): number {
  const heap = a.heap;
  const m = heap.m;
  const { slots, slotBytes, slotsOffset, cacheOffset } = heap.layout;
  for (let s = 0; s < slots; s++) {
    const slot = heap.base + slotsOffset + s * slotBytes;
    if (m.u32(slot + S_STATE) === 0) continue;
    const ca = slot + cacheOffset[c]!;
    const n = m.u32(ca);
    for (let k = 0; k < n; k++) if (m.u32(ca + 4 + 8 * k) === ptr - heap.hb) return s;
  }
  return -1;
}

/** What `a` keeps at `addr`, or undefined when the address is not in pages of this heap. */
export function inspectBumpFreestack(a: BumpFreestackAllocator, addr: number, brief = false): Inspection | undefined {
  const space = a.space;
  if (!(Number.isInteger(addr) && addr > 0 && addr < space.size) || !a.owns(addr)) return undefined;
  const heap = a.heap;
  const m = heap.m;
  const hb = heap.hb;
  const h = addr - hb; // the address as the heap stores it (layout.ts)
  const ps = space.pageSize;
  const page = Math.floor(addr / ps) * ps;
  const chain = [a.identity.label];
  const e = h > 0 && h < WINDOW_BYTES ? heap.pmapEntry(h) : 0;
  const kind = e & 3;
  if (kind === KIND_RUN) {
    const rec = e - KIND_RUN;
    const c = heap.rec(rec, R_CLASS);
    const cls = a.classes[c]!;
    const size = cls.size;
    const start = hb + heap.rec(rec, R_START);
    const blocks = heap.rec(rec, R_BLOCKS);
    const i = Math.floor((addr - start) / size);
    const runDetails: [string, string][] = [
      ['size class', `#${c}: ${size} bytes`],
      ['run', `${hex(start)}: ${blocks} blocks of ${size} bytes, ${cls.runBytes} bytes`],
    ];
    if (i >= blocks || addr < start) {
      const tail = start + blocks * size;
      return { kind: 'slack', start: Math.max(tail, page), size: Math.min(start + cls.runBytes, page + ps) - Math.max(tail, page), block: null, details: [...runDetails, ['slack', 'the run\'s bytes after its last block, never handed out']], chain };
    }
    const base = start + i * size;
    const meta = heap.rec(rec, RUN_HEADER_WORDS + i);
    const state = meta & 3;
    const details: [string, string][] = [...runDetails, ['block', `#${i} of the run at ${hex(base)}`]];
    if (state === STATE_LIVE) {
      const requested = meta >>> 2;
      const block = { base, size };
      details.push(['state', 'live'], ['requested', `${requested} bytes`]);
      if (addr < base + requested) return { kind: 'live', start: base, size: requested, block, details, chain };
      return { kind: 'slack', start: base + requested, size: size - requested, block, details, chain };
    }
    if (state === STATE_FREE) {
      // brief: the caches are not scanned (the block is then named as on the shared stack).
      const s = brief ? -1 : cacheHolding(a, c, base);
      const head = m.u32(heap.classAt(c, C_HEAD));
      const top = head === 0 ? 0 : hb + head;
      details.push(['state', 'free']);
      if (s >= 0) details.push(['free stack', `in worker slot ${s}'s cache of class #${c} (refilled from and flushed to the shared stack in batches)`]);
      else if (a.options.fifo) details.push(['free stack', `on class #${c}'s shared FIFO queue (${m.u32(heap.classAt(c, C_QUEUED))} blocks queued, head ${hex(top)})`]);
      else details.push(['free stack', `on class #${c}'s shared free stack${top === base ? ', at its top' : `, top ${hex(top)}`}`]);
      return { kind: 'free', start: base, size, block: { base, size }, details, chain };
    }
    details.push(['state', 'not carved yet: the class\'s carve pointer has not reached it']);
    return { kind: 'unused', start: base, size, block: null, details, chain };
  }
  if (kind === KIND_LARGE) {
    const r = e - KIND_LARGE;
    const base = hb + heap.rec(r, L_BASE);
    const pages = heap.rec(r, L_PAGES);
    const requested = heap.rec(r, L_REQUESTED);
    const bytes = pages * ps;
    const block = { base, size: bytes };
    const details: [string, string][] = [['large block', `${hex(base)}: ${pages} page${pages === 1 ? '' : 's'} of its own, above the mmap threshold`], ['requested', `${requested} bytes`]];
    if (addr < base + requested) return { kind: 'live', start: base, size: requested, block, details, chain };
    return { kind: 'slack', start: base + requested, size: bytes - requested, block, details, chain };
  }
  const region = heap.base;
  if (addr >= region && addr < region + heap.layout.bytes) {
    return { kind: 'metadata', start: region, size: heap.layout.bytes, block: null, details: [['metadata', 'the heap\'s shared state: header, class stacks, worker slots and caches, page map']], chain };
  }
  const cursor = hb + heap.word(HDR.regionCursor);
  const end = hb + heap.word(HDR.regionEnd);
  if (addr >= cursor && addr < end) {
    return { kind: 'unused', start: cursor, size: end - cursor, block: null, details: [['bump region', `${hex(cursor)}–${hex(end)}: not carved into runs yet`]], chain };
  }
  return { kind: 'metadata', start: page, size: ps, block: null, details: [['metadata', 'run and large-block records, or pages of a reclaimed run']], chain };
}
