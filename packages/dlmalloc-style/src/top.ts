/*
 * The top of the heap and the pages behind free chunks: growing the heap with sbrk, trimming it
 * from the top only (the slides: the heap can be trimmed only if memory is freed at the top end),
 * giving back the whole pages inside large free chunks with madvise(DONTNEED), and, when memory
 * runs out, consolidating (the tcache flushed, the top trimmed to one chunk).
 *
 * Invariants kept: top + topSize is page-aligned and equals the break we last set; the top
 * holds at least one chunk (16 bytes); released pages lie strictly inside a free chunk, clear of
 * its head, fd, bk (first 32 bytes) and its footer.
 */

import { KernelError, MADV_DONTNEED, alignUp } from '@heaplab/core';
import type { DlmallocAllocator } from './allocator.js';
import { MIN_CHUNK, PINUSE, S_HEAP_BASE, S_TOP, S_TOP_SIZE, TCACHED } from './layout.js';

/**
 * Moves the break up so the top holds nb + MIN_CHUNK bytes, asking `topPad` more when it can.
 * False when the heap cannot grow: ENOMEM, or another owner moved the break since our last sbrk.
 */
export function growTop(a: DlmallocAllocator, nb: number): boolean {
  const space = a.space;
  const mem = a.m;
  const sa = a.stateBase;
  const ps = space.pageSize;
  const to = mem.u32(sa + S_TOP);
  const top = to === 0 ? 0 : a.wb + to;
  const brk = space.currentBrk;
  let start = top;
  if (top === 0) {
    start = alignUp(brk, 16);
    // The heap must start inside the window its in-band offsets cover (allocator.ts).
    if (start < a.heapLo) return false;
  } else if (brk !== top + mem.u32(sa + S_TOP_SIZE)) return false;
  const minEnd = start + nb + MIN_CHUNK;
  for (let attempt = 0; attempt < 2; attempt++) {
    const end = alignUp(attempt === 0 ? minEnd + a.topPad : minEnd, ps);
    if (end > space.size) continue;
    try {
      space.sbrk(end - brk, a.identity);
    } catch (e) {
      if (e instanceof KernelError && e.code === 'ENOMEM') continue;
      throw e;
    }
    if (top === 0) {
      mem.setU32(sa + S_HEAP_BASE, start - a.wb);
      mem.setU32(sa + S_TOP, start - a.wb);
      a.starts.set(start);
    }
    const ts = end - start;
    mem.setU32(sa + S_TOP_SIZE, ts);
    mem.setU32(start + 4, ts | PINUSE);
    return true;
  }
  return false;
}

/** Gives the top's pages back above `pad` (default `topPad`) + one chunk, when we still own the break. */
export function trim(a: DlmallocAllocator, pad = a.topPad): void {
  const space = a.space;
  const mem = a.m;
  const sa = a.stateBase;
  const top = a.wb + mem.u32(sa + S_TOP);
  const ts = mem.u32(sa + S_TOP_SIZE);
  if (space.currentBrk !== top + ts) return;
  const ps = space.pageSize;
  const extra = Math.floor((ts - pad - MIN_CHUNK) / ps) * ps;
  if (extra <= 0) return;
  space.sbrk(-extra, a.identity);
  mem.setU32(sa + S_TOP_SIZE, ts - extra);
  mem.setU32(top + 4, (ts - extra) | PINUSE);
}

/**
 * Gives back (madvise DONTNEED) the whole pages of free chunk [c, c+s) that overlap the chunk
 * just freed [from, to) — the only pages this free can have made both free and dirty — keeping
 * the chunk's first 32 bytes (head, fd, bk) and its footer. A page shared with a live chunk is
 * not whole inside [c, c+s), so it waits until its last chunk is freed.
 */
export function releasePages(a: DlmallocAllocator, c: number, s: number, from: number, to: number): void {
  const ps = a.space.pageSize;
  const lo = Math.max(alignUp(c + 32, ps), Math.floor(from / ps) * ps);
  const hi = Math.min(Math.floor((c + s) / ps) * ps, alignUp(to, ps));
  if (hi > lo) a.space.madvise(lo, hi - lo, MADV_DONTNEED);
}

/**
 * Out of memory (allocator.ts outOfMemory): frees every chunk parked in the tcache for real —
 * coalesced with its neighbours, merged into the top — and trims the top to one chunk. True when
 * anything changed (a chunk freed or the break moved down), so a second try can succeed.
 */
export function consolidate(a: DlmallocAllocator): boolean {
  let changed = false;
  if (a.tcacheMax !== 0) {
    for (let k = 1; k < 64; k++) {
      const ti = a.ta + 4 * k;
      const mem = a.m;
      for (let c = a.tcacheFirst(k); c !== 0; c = a.tcacheFirst(k)) {
        const next = a.revealTcache(c);
        mem.setU32(ti, next === 0 ? 0 : next - a.wb);
        mem.setU32(ti + 256, mem.u32(ti + 256) - 1);
        mem.setU32(c + 4, mem.u32(c + 4) & ~TCACHED);
        a.freeChunk(c, k << 4);
        changed = true;
      }
    }
  }
  const brk = a.space.currentBrk;
  trim(a, 0);
  return changed || a.space.currentBrk !== brk;
}
