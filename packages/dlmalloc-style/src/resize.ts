/*
 * memalign and realloc in place over the heap (mmapped chunks: mapped.ts).
 *
 * memalign takes a chunk with room to slide up to the alignment boundary, frees the leading
 * piece (a multiple of 16, so a chunk of its own, coalescing with a free predecessor) and the
 * tail: no slack leaks. realloc shrinks by splitting the tail off as a free chunk, and grows into
 * a free next chunk (or the victim) or the top (moving the break first when needed).
 *
 * Invariant: the block keeps its address and prefix; its canary and requested size are rewritten.
 */

import { alignUp } from '@heaplab/core';
import type { DlmallocAllocator } from './allocator.js';
import { CINUSE, HEADER, MAX_HEAP_REQUEST, MIN_CHUNK, MMAPPED, PINUSE, S_DV, S_DV_SIZE, S_MMAP_THRESHOLD, S_TOP, S_TOP_SIZE } from './layout.js';
import { mmapChunk, resizeMapped } from './mapped.js';
import { POLICY_BEST, POLICY_NEXT } from './options.js';
import { takeBest, takeFirst, takeNext, takeTop } from './place.js';
import { growTop } from './top.js';

/** memalign: a heap chunk with room to slide to the boundary, lead and tail freed; or a mapping. */
export function allocateAligned(a: DlmallocAllocator, size: number, align: number): number {
  if (size >= MAX_HEAP_REQUEST || size + align >= a.m.u32(a.stateBase + S_MMAP_THRESHOLD)) return mmapChunk(a, size, align);
  const nb = (size + 31) & ~15;
  const want = nb + align - HEADER;
  const policy = a.policy;
  let c = policy === POLICY_BEST ? takeBest(a, want) : policy === POLICY_NEXT ? takeNext(a, want) : takeFirst(a, want);
  if (c === 0) c = takeTop(a, want);
  if (c === 0) return mmapChunk(a, size, align);
  const mem = a.m;
  let s = (mem.u32(c + 4) & ~15) >>> 0;
  const nc = alignUp(c + HEADER, align) - HEADER;
  if (nc !== c) {
    const lead = nc - c;
    s -= lead;
    mem.setU32(nc + 4, s | PINUSE | CINUSE);
    a.starts.set(nc);
    mem.setU32(c + 4, lead | (mem.u32(c + 4) & PINUSE) | CINUSE);
    a.freeChunk(c, lead);
    c = nc;
  }
  if (s - nb >= MIN_CHUNK) {
    const t = c + nb;
    mem.setU32(t + 4, (s - nb) | PINUSE | CINUSE);
    a.starts.set(t);
    mem.setU32(c + 4, nb | (mem.u32(c + 4) & PINUSE) | CINUSE);
    a.freeChunk(t, s - nb);
    s = nb;
  }
  mem.setU32(c + 8, size);
  mem.setU32(c + s, a.canary(c));
  a.account(1, size, s - HEADER);
  return c + HEADER;
}

export function resizeInPlace(a: DlmallocAllocator, ptr: number, size: number): number {
  const mem = a.m;
  const sa = a.stateBase;
  const c = ptr - HEADER;
  const h = mem.u32(c + 4);
  if (h & MMAPPED) return resizeMapped(a, c, size);
  if (size >= MAX_HEAP_REQUEST) return 0;
  const nb = (size + 31) & ~15;
  const s = (h & ~15) >>> 0;
  const req = mem.u32(c + 8);
  let ns = s;
  if (s < nb) {
    const n = c + s;
    if (n === a.wb + mem.u32(sa + S_TOP)) {
      // Grow into the top, moving the break up first when the top is too small.
      if (s + mem.u32(sa + S_TOP_SIZE) < nb + MIN_CHUNK && !growTop(a, nb - s)) return 0;
      const nts = s + mem.u32(sa + S_TOP_SIZE) - nb;
      const nt = c + nb;
      a.starts.clear(n);
      a.starts.set(nt);
      mem.setU32(sa + S_TOP, nt - a.wb);
      mem.setU32(sa + S_TOP_SIZE, nts);
      mem.setU32(nt + 4, nts | PINUSE);
      mem.setU32(c + 4, nb | (h & PINUSE) | CINUSE);
      ns = nb;
    } else {
      const nh = mem.u32(n + 4);
      const nsz = (nh & ~15) >>> 0;
      if (nh & CINUSE || s + nsz < nb) return 0;
      if (n === a.wb + mem.u32(sa + S_DV)) {
        mem.setU32(sa + S_DV, 0);
        mem.setU32(sa + S_DV_SIZE, 0);
      } else {
        a.bins.unlink(n, nsz);
      }
      a.starts.clear(n);
      ns = s + nsz;
      mem.setU32(c + 4, ns | (h & PINUSE) | CINUSE);
      mem.setU32(c + ns + 4, mem.u32(c + ns + 4) | PINUSE);
    }
  }
  if (ns - nb >= MIN_CHUNK) {
    // Shrink: the tail becomes a free chunk (merged with a free or top neighbour).
    const t = c + nb;
    mem.setU32(t + 4, (ns - nb) | PINUSE | CINUSE);
    a.starts.set(t);
    mem.setU32(c + 4, nb | (h & PINUSE) | CINUSE);
    a.freeChunk(t, ns - nb);
    ns = nb;
  }
  mem.setU32(c + 8, size);
  mem.setU32(c + ns, a.canary(c));
  a.account(0, size - req, ns - s);
  return ptr;
}
