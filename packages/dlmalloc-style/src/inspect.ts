/*
 * inspect(addr) for dlmalloc-style: the chunk holding an address and what the heap knows of it.
 * Heap addresses (heap base … end of the top chunk) find their chunk in the chunk-start bitmap
 * (starts.ts), then read its head (layout.ts): the first 4 bytes are the previous chunk's canary
 * when that chunk is in use (PINUSE), else its footer; the next 12 the header; then the user
 * bytes — a live chunk's requested bytes and slack, or a free chunk's stale bytes. A free chunk is
 * the top, the designated victim, parked in the tcache, or in its bin, whose list is walked from
 * the bin head to give its position (a bounded walk that stops at a link leaving the heap, so
 * encoded links end it early). Mmapped chunks are found as blockAt finds them, page by page
 * down to their mapping's start; the state page is metadata.
 */

import { hex, type Inspection } from '@heaplab/core';
import type { DlmallocAllocator } from './allocator.js';
import { CINUSE, HEADER, NBINS, PINUSE, SMALL_LIMIT, S_DV, S_HEAP_BASE, S_TOP, S_TOP_SIZE, TCACHED, TCACHE_COUNTS, binFloor, binIndex } from './layout.js';
import { mmappedChunkAt } from './mapped.js';

const MAX_WALK = 100_000;

/** Position (1-based) of chunk c in bin i and the bin's length, walking fd from its head; null when the walk cannot tell. */
function binPosition(a: DlmallocAllocator, i: number, c: number): { at: number; length: number } | null {
  const mem = a.m;
  const wb = a.wb;
  const f = a.bins.fake0 + 8 * i;
  let at = 0;
  let n = 0;
  for (let x = wb + mem.u32(f + 8); x !== f; x = wb + mem.u32(x + 8)) {
    n++;
    if (x === c) at = n;
    if (n > MAX_WALK || x % 16 !== 0 || x <= 0 || x >= a.space.size) return null;
  }
  return at > 0 ? { at, length: n } : null;
}

function binName(i: number): string {
  const lo = binFloor(i);
  const hi = i + 1 < NBINS ? binFloor(i + 1) - 16 : 2 ** 32 - 16;
  return i < SMALL_LIMIT / 16 ? `small bin #${i} (chunks of ${lo} bytes)` : `large bin #${i} (chunks of ${lo}–${hi} bytes)`;
}

/** What `a` keeps at `addr`, or undefined when the address is not in its memory. */
export function inspectDlmalloc(a: DlmallocAllocator, addr: number, brief = false): Inspection | undefined {
  const space = a.space;
  if (!(Number.isInteger(addr) && addr > 0 && addr < space.size) || !a.owns(addr)) return undefined;
  const mem = a.m;
  const sa = a.stateBase;
  const chain = [a.identity.label];
  if (addr >= a.stateBase && addr < a.stateEnd) {
    return { kind: 'metadata', start: a.stateBase, size: a.stateEnd - a.stateBase, block: null, details: [['state', 'state words, bin heads and bitmap, tcache lists, chunk-start bitmap']], chain };
  }
  const hbo = mem.u32(sa + S_HEAP_BASE);
  const hb = hbo === 0 ? 0 : a.wb + hbo;
  const top = hbo === 0 ? 0 : a.wb + mem.u32(sa + S_TOP);
  const heapEnd = top + mem.u32(sa + S_TOP_SIZE);
  if (hb !== 0 && addr >= hb && addr < heapEnd) {
    const c = a.starts.below(addr, hb);
    if (c < 0) return undefined;
    const h = mem.u32(c + 4);
    const s = (h & ~15) >>> 0;
    const details: [string, string][] = [['chunk', `${hex(c)}: ${s} bytes, head ${hex(h)}`]];
    const prevInUse = (h & PINUSE) !== 0;
    if (addr < c + 4) {
      details.push(['prev_foot', prevInUse ? `the canary of the in-use chunk below (c ^ secret)` : `the size of the free chunk below (${mem.u32(c)} bytes)`]);
      return { kind: prevInUse && c !== hb ? 'canary' : 'header', start: c, size: 4, block: null, details, chain };
    }
    const inUse = (h & CINUSE) !== 0 && (h & TCACHED) === 0;
    const user = { base: c + HEADER, size: s - HEADER };
    if (c === top) {
      details.push(['top', `the top chunk: ${s} bytes not handed out, grown with sbrk and trimmed`]);
      return addr < c + HEADER ? { kind: 'header', start: c + 4, size: HEADER - 4, block: null, details, chain } : { kind: 'unused', start: c + HEADER, size: s - HEADER, block: null, details, chain };
    }
    if (inUse) {
      const requested = mem.u32(c + 8);
      details.push(['state', 'in use'], ['requested', `${requested} bytes`], ['usable', `${s - HEADER} bytes`]);
      if (addr < c + HEADER) return { kind: 'header', start: c + 4, size: HEADER - 4, block: user, details, chain };
      if (addr < c + HEADER + requested) return { kind: 'live', start: c + HEADER, size: requested, block: user, details, chain };
      return { kind: 'slack', start: c + HEADER + requested, size: s - HEADER - requested, block: user, details, chain };
    }
    if (h & TCACHED) {
      details.push(['state', 'free, parked in the tcache (still marked in use for the heap)'], ['tcache', `list of ${s}-byte chunks, ${mem.u32(a.stateBase + TCACHE_COUNTS + (s >>> 2))} chunks`]);
    } else if (c === a.wb + mem.u32(sa + S_DV)) {
      details.push(['state', 'free'], ['victim', 'the designated victim: the remainder of the last split, used first for small requests']);
    } else {
      const i = binIndex(s);
      const pos = brief ? null : binPosition(a, i, c);
      details.push(['state', 'free'], ['bin', `${binName(i)}${pos ? `, chunk ${pos.at} of ${pos.length}` : ''}`], ['fd', hex(a.wb + mem.u32(c + 8))], ['bk', hex(a.wb + mem.u32(c + 12))]);
    }
    if (addr < c + HEADER) return { kind: 'header', start: c + 4, size: HEADER - 4, block: null, details, chain };
    return { kind: 'free', start: c + HEADER, size: s - HEADER, block: user, details, chain };
  }
  const ps = space.pageSize;
  for (let m = Math.floor(addr / ps) * ps; m > 0 && m >= heapEnd && a.owns(m); m -= ps) {
    const c = mmappedChunkAt(a, m);
    if (c === 0) continue;
    const s = (mem.u32(c + 4) & ~15) >>> 0;
    if (addr >= c + s) break;
    const requested = mem.u32(c + 8);
    const user = { base: c + HEADER, size: s - HEADER };
    const details: [string, string][] = [['chunk', `${hex(c)}: ${s} bytes in its own mapping at ${hex(m)} (at or above the mmap threshold)`], ['requested', `${requested} bytes`]];
    if (addr < c) return { kind: 'slack', start: m, size: c - m, block: user, details: [...details, ['pad', 'memalign padding before the chunk']], chain };
    if (addr < c + HEADER) return { kind: 'header', start: c, size: HEADER, block: user, details, chain };
    if (addr < c + HEADER + requested) return { kind: 'live', start: c + HEADER, size: requested, block: user, details, chain };
    return { kind: 'slack', start: c + HEADER + requested, size: s - HEADER - requested, block: user, details, chain };
  }
  const page = Math.floor(addr / ps) * ps;
  return { kind: 'unused', start: page, size: ps, block: null, details: [['heap', 'pages of the heap segment past the top chunk']], chain };
}
