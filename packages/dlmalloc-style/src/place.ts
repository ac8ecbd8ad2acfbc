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
 *   next fit   takeNext: the first fitting free chunk at or after the rover (roving.ts's tree);
 *   all        takeTop: carve the top, growing the heap with sbrk when it is too small.
 *
 * Invariant kept: a remainder of at least 16 bytes is split off as a free chunk (head, footer,
 * chunk-start bit) and goes to the victim or a bin; a smaller one cannot exist (sizes are
 * multiples of 16), so a chunk is either split or handed out whole.
 */

import type { DlmallocAllocator } from './allocator.js';
import { CINUSE, MIN_CHUNK, PINUSE, SMALL_LIMIT, S_DV, S_DV_SIZE, S_HEAP_BASE, S_ROVER, S_TOP, S_TOP_SIZE, binIndex } from './layout.js';
import { POLICY_NEXT } from './options.js';
import { REGION_SHIFT } from './roving.js';
import { growTop } from './top.js';

/** Marks free chunk c of size s (already out of its bin) in use, whole. */
function markUsed(a: DlmallocAllocator, c: number, s: number): void {
  const mem = a.m;
  mem.setU32(c + 4, s | PINUSE | CINUSE);
  mem.setU32(c + s + 4, mem.u32(c + s + 4) | PINUSE);
}

/** Splits free chunk c of size s: [c, c+nb) in use, the rest a free chunk r (returned, not binned). */
function split(a: DlmallocAllocator, c: number, s: number, nb: number): number {
  const mem = a.m;
  const r = c + nb;
  const rs = s - nb;
  mem.setU32(r + 4, rs | PINUSE);
  mem.setU32(r + rs, rs);
  a.starts.set(r);
  mem.setU32(c + 4, nb | PINUSE | CINUSE);
  return r;
}

/** Best fit: an in-use chunk of ≥ nb bytes from the bins or the victim, or 0. */
export function takeBest(a: DlmallocAllocator, nb: number): number {
  const mem = a.m;
  const sa = a.stateBase;
  const bins = a.bins;
  const dvs = mem.u32(sa + S_DV_SIZE);
  if (nb < SMALL_LIMIT) {
    const f = bins.bin(nb >>> 4);
    let c = a.wb + mem.u32(f + 8);
    if (c !== f) {
      bins.unlink(c, nb);
      markUsed(a, c, nb);
      return c;
    }
    if (dvs >= nb) return carveVictim(a, nb, dvs);
    const j = bins.nextNonEmpty((nb >>> 4) + 1);
    if (j < 0) return 0;
    c = a.wb + mem.u32(bins.bin(j) + 8);
    const s = (mem.u32(c + 4) & ~15) >>> 0;
    bins.unlink(c, s);
    if (s === nb) {
      markUsed(a, c, s);
      return c;
    }
    if (dvs !== 0) bins.insert(a.wb + mem.u32(sa + S_DV), dvs);
    mem.setU32(sa + S_DV, split(a, c, s, nb) - a.wb);
    mem.setU32(sa + S_DV_SIZE, s - nb);
    return c;
  }
  const c = bins.bestFit(nb);
  const s = c === 0 ? 0 : (mem.u32(c + 4) & ~15) >>> 0;
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
  const mem = a.m;
  const sa = a.stateBase;
  const dv = a.wb + mem.u32(sa + S_DV);
  if (dvs === nb) {
    mem.setU32(sa + S_DV, 0);
    mem.setU32(sa + S_DV_SIZE, 0);
    markUsed(a, dv, dvs);
  } else {
    mem.setU32(sa + S_DV, split(a, dv, dvs, nb) - a.wb);
    mem.setU32(sa + S_DV_SIZE, dvs - nb);
  }
  return dv;
}

/** First fit: the lowest-addressed free chunk that fits (bins.ts), or 0. */
export function takeFirst(a: DlmallocAllocator, nb: number): number {
  const c = a.bins.firstFit(nb);
  return c === 0 ? 0 : takeFree(a, c, nb);
}

/**
 * Next fit: the first free chunk that fits at or after the rover — the chunk holding the end of
 * the last chunk handed out — in address order, wrapping to the heap base: the lowest-addressed
 * fit at or after the rover's chunk, else the lowest-addressed fit of the heap. The free-size
 * tree (roving.ts) skips the regions (1 KiB of the heap each) with no free chunk big enough; only
 * the regions it points to are read, header by header, following the chunk-start bitmap.
 * Cost: a few groups of 32 tree entries per level (5 levels over 4 GiB), and at most 64 headers
 * per region read — the rover's region, the region of the fit, and regions whose bound went stale
 * since they were last read (each read once, then exact) — where a walk over every chunk from the
 * rover, in use or not, would read as many headers as there are chunks between it and the fit.
 */
export function takeNext(a: DlmallocAllocator, nb: number): number {
  const mem = a.m;
  const sa = a.stateBase;
  const wb = a.wb;
  const hbo = mem.u32(sa + S_HEAP_BASE);
  if (hbo === 0) return 0;
  const hb = wb + hbo;
  const top = wb + mem.u32(sa + S_TOP);
  let from = wb + mem.u32(sa + S_ROVER);
  if (from < hb || from >= top) from = hb;
  else if (!a.starts.has(from)) from = a.starts.below(from, hb); // merged since: the chunk holding it
  let c = nextFitFrom(a, from, top, nb);
  if (c === 0 && from > hb) c = nextFitFrom(a, hb, top, nb); // wrap
  return c === 0 ? 0 : takeFree(a, c, nb);
}

/** The lowest-addressed binned free chunk ≥ nb bytes starting in [from, top), or 0. */
function nextFitFrom(a: DlmallocAllocator, from: number, top: number, nb: number): number {
  const roving = a.bins.roving!;
  const mem = a.m;
  const base = a.starts.base;
  const at = a.starts.at;
  let i = roving.region(from);
  let steps = 0;
  for (;;) {
    i = roving.find(i, nb);
    if (i < 0) break;
    const rs = base + (i << REGION_SHIFT);
    if (rs >= top) break;
    const lo = from > rs ? from : rs;
    // Read the chunks starting in [lo, region end): the set bits of its two bitmap words from lo on.
    const b = (lo - base) >>> 4;
    // w counts bitmap words from its start; word w is at at + 4·w.
    let w = b >>> 5;
    const wEnd = (((rs - base) >>> 4) + (1 << (REGION_SHIFT - 4))) >>> 5;
    let bits = mem.u32(at + (w << 2)) & (-1 << (b & 31));
    let max = 0;
    for (;;) {
      while (bits === 0 && ++w < wEnd) bits = mem.u32(at + (w << 2));
      if (bits === 0) break;
      const low = bits & -bits;
      bits ^= low;
      const c = base + ((w << 5) + 31 - Math.clz32(low)) * 16;
      if (c >= top) break; // the top and nothing after it
      steps++;
      const h = mem.u32(c + 4);
      if (!(h & CINUSE)) {
        const s = (h & ~15) >>> 0;
        if (s >= nb) {
          a.searchSteps += steps;
          return c;
        }
        if (s > max) max = s;
      }
    }
    if (lo === rs) roving.tighten(i, max);
    i++;
  }
  a.searchSteps += steps;
  return 0;
}

/** Takes free chunk c (in a bin, size ≥ nb) for nb bytes; the remainder goes back to a bin. */
function takeFree(a: DlmallocAllocator, c: number, nb: number): number {
  const mem = a.m;
  if (a.bins.safe) a.bins.verify(c); // before split() writes the remainder's header
  const s = (mem.u32(c + 4) & ~15) >>> 0;
  if (s === nb) {
    a.bins.unlink(c, s);
    markUsed(a, c, s);
  } else if (binIndex(s - nb) === binIndex(s)) {
    a.bins.replace(c, split(a, c, s, nb)); // the remainder takes c's place: order kept
  } else {
    a.bins.unlink(c, s);
    a.bins.insert(split(a, c, s, nb), s - nb);
  }
  if (a.policy === POLICY_NEXT) mem.setU32(a.stateBase + S_ROVER, c + nb - a.wb);
  return c;
}

/** Carves nb bytes from the top, growing the heap when the top is too small; 0 when it cannot. */
export function takeTop(a: DlmallocAllocator, nb: number): number {
  const mem = a.m;
  const sa = a.stateBase;
  let ts = mem.u32(sa + S_TOP_SIZE);
  if (ts < nb + MIN_CHUNK) {
    if (!growTop(a, nb)) return 0;
    ts = mem.u32(sa + S_TOP_SIZE);
  }
  const c = a.wb + mem.u32(sa + S_TOP);
  const nt = c + nb;
  mem.setU32(nt + 4, (ts - nb) | PINUSE);
  a.starts.set(nt);
  mem.setU32(sa + S_TOP, nt - a.wb);
  mem.setU32(sa + S_TOP_SIZE, ts - nb);
  mem.setU32(c + 4, nb | PINUSE | CINUSE);
  if (a.policy === POLICY_NEXT) mem.setU32(sa + S_ROVER, nt - a.wb);
  return c;
}
