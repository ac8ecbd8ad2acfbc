/*
 * Placement: where a heap request of nb bytes (a chunk size) is carved, per policy. Each take*
 * function returns the address of a chunk now marked in use (head with CINUSE, the next chunk's
 * PINUSE set) of at least nb bytes, or 0; the caller writes the requested size and the canary and
 * counts the block.
 *
 *   best fit   takeBest: exact small bin → the designated victim (small requests) → the smallest
 *              fitting chunk of the bins (its remainder becomes the victim for a small request,
 *              else goes to a bin) — dlmalloc's order;
 *   first fit  takeFirst: the lowest-addressed fitting chunk (bins.ts firstFit);
 *   next fit   takeNext: the first fitting free chunk at or after the rover, walking the heap;
 *   all        takeTop: carve the top, growing the heap with sbrk when it is too small.
 *
 * Invariant kept: a remainder of at least 16 bytes is split off as a free chunk (head, footer,
 * chunk-start bit) and goes to the victim or a bin; a smaller one cannot exist (sizes are
 * multiples of 16), so a chunk is either split or handed out whole.
 */

import type { DlmallocAllocator } from './allocator.js';
import { CINUSE, MIN_CHUNK, PINUSE, SMALL_LIMIT, W, binIndex } from './layout.js';
import { POLICY_NEXT } from './options.js';
import { growTop } from './top.js';

/** Marks free chunk c of size s (already out of its bin) in use, whole. */
function markUsed(a: DlmallocAllocator, c: number, s: number): void {
  const u32 = a.u32;
  u32[(c + 4) >>> 2] = s | PINUSE | CINUSE;
  u32[(c + s + 4) >>> 2]! |= PINUSE;
}

/** Splits free chunk c of size s: [c, c+nb) in use, the rest a free chunk r (returned, not binned). */
function split(a: DlmallocAllocator, c: number, s: number, nb: number): number {
  const u32 = a.u32;
  const r = c + nb;
  const rs = s - nb;
  u32[(r + 4) >>> 2] = rs | PINUSE;
  u32[(r + rs) >>> 2] = rs;
  a.starts.set(r);
  u32[(c + 4) >>> 2] = nb | PINUSE | CINUSE;
  return r;
}

/** Best fit: an in-use chunk of ≥ nb bytes from the bins or the victim, or 0. */
export function takeBest(a: DlmallocAllocator, nb: number): number {
  const u32 = a.u32;
  const sw = a.sw;
  const bins = a.bins;
  const dvs = u32[sw + W.dvSize]!;
  if (nb < SMALL_LIMIT) {
    const f = bins.bin(nb >>> 4);
    let c = u32[(f + 8) >>> 2]!;
    if (c !== f) {
      bins.unlink(c, nb);
      markUsed(a, c, nb);
      return c;
    }
    if (dvs >= nb) return carveVictim(a, nb, dvs);
    const j = bins.nextNonEmpty((nb >>> 4) + 1);
    if (j < 0) return 0;
    c = u32[(bins.bin(j) + 8) >>> 2]!;
    const s = (u32[(c + 4) >>> 2]! & ~15) >>> 0;
    bins.unlink(c, s);
    if (s === nb) {
      markUsed(a, c, s);
      return c;
    }
    if (dvs !== 0) bins.insert(u32[sw + W.dv]!, dvs);
    u32[sw + W.dv] = split(a, c, s, nb);
    u32[sw + W.dvSize] = s - nb;
    return c;
  }
  const c = bins.bestFit(nb);
  const s = c === 0 ? 0 : (u32[(c + 4) >>> 2]! & ~15) >>> 0;
  if (dvs >= nb && (c === 0 || dvs <= s)) return carveVictim(a, nb, dvs);
  if (c === 0) return 0;
  bins.unlink(c, s);
  if (s === nb) markUsed(a, c, s);
  else {
    const r = split(a, c, s, nb);
    bins.insert(r, s - nb);
  }
  return c;
}

/** Serves nb bytes from the designated victim (dvs ≥ nb); its remainder stays the victim. */
function carveVictim(a: DlmallocAllocator, nb: number, dvs: number): number {
  const u32 = a.u32;
  const sw = a.sw;
  const dv = u32[sw + W.dv]!;
  if (dvs === nb) {
    u32[sw + W.dv] = 0;
    u32[sw + W.dvSize] = 0;
    markUsed(a, dv, dvs);
  } else {
    u32[sw + W.dv] = split(a, dv, dvs, nb);
    u32[sw + W.dvSize] = dvs - nb;
  }
  return dv;
}

/** First fit: the lowest-addressed free chunk that fits (bins.ts), or 0. */
export function takeFirst(a: DlmallocAllocator, nb: number): number {
  const c = a.bins.firstFit(nb);
  return c === 0 ? 0 : takeFree(a, c, nb);
}

/**
 * Next fit: walks the heap's chunks from the rover — the end of the last chunk handed out — to
 * the first free chunk that fits, wrapping from the top to the heap base. The bins first tell
 * whether any free chunk fits at all, so the walk always ends at one.
 * The walk takes each next chunk's address from the chunk-start bitmap (the next set bit), not
 * from the size in its header — the same chunks in the same order, but the header reads no
 * longer wait for one another, so several cold ones are in flight at once.
 * Cost: the chunks between the rover and that chunk (free ones are common, so small requests
 * stop within a few chunks; a large request may cross much of the heap).
 */
export function takeNext(a: DlmallocAllocator, nb: number): number {
  if (!a.bins.anyFit(nb)) return 0;
  const u32 = a.u32;
  const sw = a.sw;
  const hb = u32[sw + W.heapBase]!;
  const top = u32[sw + W.top]!;
  let c = u32[sw + W.rover]!;
  if (c < hb || c >= top) c = hb;
  else if (!a.starts.has(c)) c = a.starts.below(c, hb); // merged since: the chunk holding it
  const base = a.starts.base;
  const w0 = a.starts.w0;
  let i = (c - base) >>> 4; // bit of c; the chunks from c on are the set bits from i on
  let w = w0 + (i >>> 5);
  let bits = u32[w]! & (-1 << (i & 31));
  for (;;) {
    while (bits === 0) bits = u32[++w]!;
    const low = bits & -bits;
    bits ^= low;
    c = base + (((w - w0) << 5) + 31 - Math.clz32(low)) * 16;
    if (c >= top) {
      // Past the last chunk: wrap to the heap base.
      i = (hb - base) >>> 4;
      w = w0 + (i >>> 5);
      bits = u32[w]! & (-1 << (i & 31));
      continue;
    }
    const h = u32[(c + 4) >>> 2]!;
    if (!(h & CINUSE) && (h & ~15) >>> 0 >= nb) return takeFree(a, c, nb);
  }
}

/** Takes free chunk c (in a bin, size ≥ nb) for nb bytes; the remainder goes back to a bin. */
function takeFree(a: DlmallocAllocator, c: number, nb: number): number {
  const u32 = a.u32;
  const s = (u32[(c + 4) >>> 2]! & ~15) >>> 0;
  if (s === nb) {
    a.bins.unlink(c, s);
    markUsed(a, c, s);
  } else if (binIndex(s - nb) === binIndex(s)) {
    a.bins.replace(c, split(a, c, s, nb)); // the remainder takes c's place: order kept
  } else {
    a.bins.unlink(c, s);
    a.bins.insert(split(a, c, s, nb), s - nb);
  }
  if (a.policy === POLICY_NEXT) u32[a.sw + W.rover] = c + nb;
  return c;
}

/** Carves nb bytes from the top, growing the heap when the top is too small; 0 when it cannot. */
export function takeTop(a: DlmallocAllocator, nb: number): number {
  let u32 = a.u32;
  const sw = a.sw;
  let ts = u32[sw + W.topSize]!;
  if (ts < nb + MIN_CHUNK) {
    if (!growTop(a, nb)) return 0;
    u32 = a.u32; // a syscall may have remade the views (wasm memory)
    ts = u32[sw + W.topSize]!;
  }
  const c = u32[sw + W.top]!;
  const nt = c + nb;
  u32[(nt + 4) >>> 2] = (ts - nb) | PINUSE;
  a.starts.set(nt);
  u32[sw + W.top] = nt;
  u32[sw + W.topSize] = ts - nb;
  u32[(c + 4) >>> 2] = nb | PINUSE | CINUSE;
  if (a.policy === POLICY_NEXT) u32[sw + W.rover] = nt;
  return c;
}
