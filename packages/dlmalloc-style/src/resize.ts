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
import { CINUSE, HEADER, MAX_HEAP_REQUEST, MIN_CHUNK, MMAPPED, PINUSE, W } from './layout.js';
import { mmapChunk, resizeMapped } from './mapped.js';
import { POLICY_BEST, POLICY_NEXT } from './options.js';
import { takeBest, takeFirst, takeNext, takeTop } from './place.js';
import { growTop } from './top.js';

/** memalign: a heap chunk with room to slide to the boundary, lead and tail freed; or a mapping. */
export function allocateAligned(a: DlmallocAllocator, size: number, align: number): number {
  if (size >= MAX_HEAP_REQUEST || size + align >= a.u32[a.sw + W.mmapThreshold]!) return mmapChunk(a, size, align);
  const nb = (size + 31) & ~15;
  const want = nb + align - HEADER;
  const policy = a.policy;
  let c = policy === POLICY_BEST ? takeBest(a, want) : policy === POLICY_NEXT ? takeNext(a, want) : takeFirst(a, want);
  if (c === 0) c = takeTop(a, want);
  if (c === 0) return mmapChunk(a, size, align);
  let u32 = a.u32;
  let s = (u32[(c + 4) >>> 2]! & ~15) >>> 0;
  const nc = alignUp(c + HEADER, align) - HEADER;
  if (nc !== c) {
    const lead = nc - c;
    s -= lead;
    u32[(nc + 4) >>> 2] = s | PINUSE | CINUSE;
    a.starts.set(nc);
    u32[(c + 4) >>> 2] = lead | (u32[(c + 4) >>> 2]! & PINUSE) | CINUSE;
    a.freeChunk(c, lead);
    u32 = a.u32;
    c = nc;
  }
  if (s - nb >= MIN_CHUNK) {
    const t = c + nb;
    u32[(t + 4) >>> 2] = (s - nb) | PINUSE | CINUSE;
    a.starts.set(t);
    u32[(c + 4) >>> 2] = nb | (u32[(c + 4) >>> 2]! & PINUSE) | CINUSE;
    a.freeChunk(t, s - nb);
    u32 = a.u32;
    s = nb;
  }
  u32[(c + 8) >>> 2] = size;
  u32[(c + s) >>> 2] = (c ^ a.secret) >>> 0;
  a.account(1, size, s - HEADER);
  return c + HEADER;
}

export function resizeInPlace(a: DlmallocAllocator, ptr: number, size: number): number {
  let u32 = a.u32;
  const sw = a.sw;
  const c = ptr - HEADER;
  const h = u32[(c + 4) >>> 2]!;
  if (h & MMAPPED) return resizeMapped(a, c, size);
  if (size >= MAX_HEAP_REQUEST) return 0;
  const nb = (size + 31) & ~15;
  const s = (h & ~15) >>> 0;
  const req = u32[(c + 8) >>> 2]!;
  let ns = s;
  if (s < nb) {
    const n = c + s;
    if (n === u32[sw + W.top]!) {
      // Grow into the top, moving the break up first when the top is too small.
      if (s + u32[sw + W.topSize]! < nb + MIN_CHUNK && !growTop(a, nb - s)) return 0;
      u32 = a.u32;
      const nts = s + u32[sw + W.topSize]! - nb;
      const nt = c + nb;
      a.starts.clear(n);
      a.starts.set(nt);
      u32[sw + W.top] = nt;
      u32[sw + W.topSize] = nts;
      u32[(nt + 4) >>> 2] = nts | PINUSE;
      u32[(c + 4) >>> 2] = nb | (h & PINUSE) | CINUSE;
      ns = nb;
    } else {
      const nh = u32[(n + 4) >>> 2]!;
      const nsz = (nh & ~15) >>> 0;
      if (nh & CINUSE || s + nsz < nb) return 0;
      if (n === u32[sw + W.dv]!) {
        u32[sw + W.dv] = 0;
        u32[sw + W.dvSize] = 0;
      } else {
        a.bins.unlink(n, nsz);
      }
      a.starts.clear(n);
      ns = s + nsz;
      u32[(c + 4) >>> 2] = ns | (h & PINUSE) | CINUSE;
      u32[(c + ns + 4) >>> 2]! |= PINUSE;
    }
  }
  if (ns - nb >= MIN_CHUNK) {
    // Shrink: the tail becomes a free chunk (merged with a free or top neighbour).
    const t = c + nb;
    u32[(t + 4) >>> 2] = (ns - nb) | PINUSE | CINUSE;
    a.starts.set(t);
    u32[(c + 4) >>> 2] = nb | (h & PINUSE) | CINUSE;
    a.freeChunk(t, ns - nb);
    u32 = a.u32;
    ns = nb;
  }
  u32[(c + 8) >>> 2] = size;
  u32[(c + ns) >>> 2] = (c ^ a.secret) >>> 0;
  a.account(0, size - req, ns - s);
  return ptr;
}
