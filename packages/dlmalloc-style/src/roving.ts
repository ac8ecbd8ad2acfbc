/*
 * Next fit's free-size tree: answers "the first region at or after region i that may hold a
 * free chunk of at least nb bytes" in a few steps, so next fit's search from its rover skips the
 * in-use chunks (and the free ones too small) between the rover and the chunk that fits, instead
 * of reading every header on the way. Kept only under next fit.
 *
 * The heap's address range [start_brk, end of space) is cut into regions of REGION = 1 KiB (two
 * words of the chunk-start bitmap, at most 64 chunk starts). Over them, a 32-ary tree of u32
 * bounds in the state mapping after the chunk-start bitmap (allocator.ts places it): level 0 holds
 * one bound per region, level h + 1 one per group of 32 entries of level h, up to a top level of
 * one group of 32. Each level is an array padded to a multiple of 32 (padding stays 0), stored one
 * after the other from level 0 up: about (space − start_brk) / 256 bytes of address space. A
 * 32-ary tree rather than a binary one: a small heap touches the start of each level's array, so
 * about one page per level, and 32-ary has 5 levels over 4 GiB where binary has 22.
 *
 * Invariant (an upper bound, checked by check.ts): the level-0 bound of region i ≥ the size of
 * every binned free chunk starting in region i, and every entry ≥ each of its 32 children. Kept by:
 *   - raise(c, s) whenever a chunk enters a bin (bins.ts insert and replace): the entries on its
 *     path are raised to s while they are below it;
 *   - nothing when a chunk leaves a bin (the bound just goes stale);
 *   - tighten(i, max) when a search has read a whole region and found no fit: its bound becomes
 *     the exact largest free size seen there, and the entries above are recomputed from their
 *     groups up to where they do not change; find() also tightens an entry whose 32 children all
 *     turned out below nb.
 * So a stale bound costs at most one extra region scan (or one group read), after which it is
 * exact: paid for, once, by the unlink that made it stale.
 * Entries are read through the space's RawMemory at byte addresses off[h] + 4·entry (off holds
 * each level's first byte address: above 2^32 in a paged space, so a Float64Array).
 */

import type { RawMemory } from '@heaplab/core';

/** log2 of the region size (bytes). */
export const REGION_SHIFT = 10;
/** log2 of the fan-out. */
const FAN_SHIFT = 5;
const FAN = 1 << FAN_SHIFT;
const LAST = FAN - 1;

/** Entries of each level over `span` bytes, level 0 first, each a multiple of 32; the last is 32. */
function levelSizes(span: number): number[] {
  const sizes: number[] = [];
  let n = Math.max(1, Math.ceil(span / 2 ** REGION_SHIFT));
  for (;;) {
    const padded = Math.ceil(n / FAN) * FAN;
    sizes.push(padded);
    if (padded === FAN) return sizes;
    n = padded / FAN;
  }
}

export class RovingIndex {
  /** Byte address of each level's first entry, level 0 first. */
  readonly off: Float64Array;
  /** Entries of each level. */
  readonly sizes: Int32Array;
  /** The top level's number. */
  readonly topLevel: number;

  constructor(
    /** The view of the buffer (the allocator replaces it when views are remade). */
    public m: RawMemory,
    /** Byte address of the tree (4-aligned, zero-filled: every bound 0). */
    at: number,
    /** The address region 0 starts at (the space's start_brk). */
    readonly base: number,
    /** Bytes of address range covered (space size − start_brk). */
    span: number,
  ) {
    const sizes = levelSizes(span);
    this.sizes = Int32Array.from(sizes);
    this.off = new Float64Array(sizes.length);
    let w = at;
    for (let h = 0; h < sizes.length; h++) {
      this.off[h] = w;
      w += 4 * sizes[h]!;
    }
    this.topLevel = sizes.length - 1;
  }

  /** Bytes of the tree over `span` bytes. */
  static bytesFor(span: number): number {
    return 4 * levelSizes(span).reduce((x, y) => x + y, 0);
  }

  /** The region holding address c. */
  region(c: number): number {
    return (c - this.base) >>> REGION_SHIFT;
  }

  /** A free chunk c of s bytes entered a bin: raise the bounds on its path. */
  raise(c: number, s: number): void {
    const m = this.m;
    const off = this.off;
    let i = (c - this.base) >>> REGION_SHIFT;
    for (let h = 0; h <= this.topLevel && m.u32(off[h]! + 4 * i) < s; h++, i >>>= FAN_SHIFT) m.setU32(off[h]! + 4 * i, s);
  }

  /** The largest entry of group g (children of entry g of level h + 1) of level h. */
  private groupMax(h: number, g: number): number {
    const m = this.m;
    const w = this.off[h]! + 4 * (g << FAN_SHIFT);
    let max = 0;
    for (let x = w; x < w + 4 * FAN; x += 4) {
      const v = m.u32(x);
      if (v > max) max = v;
    }
    return max;
  }

  /** Region i was read whole and its largest free chunk has `max` bytes (0: none): make its bound exact. */
  tighten(i: number, max: number): void {
    const m = this.m;
    const off = this.off;
    if (m.u32(off[0]! + 4 * i) === max) return;
    m.setU32(off[0]! + 4 * i, max);
    for (let h = 1; h <= this.topLevel; h++) {
      const g = i >>> FAN_SHIFT;
      const gm = this.groupMax(h - 1, g);
      if (m.u32(off[h]! + 4 * g) === gm) return;
      m.setU32(off[h]! + 4 * g, gm);
      i = g;
    }
  }

  /**
   * The first region ≥ i whose bound is at least nb, or −1. Reads the rest of i's group, then
   * the rest of each group above until an entry admits nb, then descends to the first child that
   * does; an entry none of whose children admit nb had a stale bound: it is made their max and
   * the search goes on after it. Every region before the search's position has been excluded.
   */
  find(i: number, nb: number): number {
    const m = this.m;
    const off = this.off;
    const top = this.topLevel;
    if (i >= this.sizes[0]!) return -1;
    let h = 0;
    let p = i;
    for (;;) {
      if (p >= this.sizes[h]!) return -1; // past the last region
      const w = off[h]!;
      const end = p | LAST;
      let q = -1;
      for (let x = p; x <= end; x++) {
        if (m.u32(w + 4 * x) >= nb) {
          q = x;
          break;
        }
      }
      if (q < 0) {
        // Nothing from p to its group's end: go on at the next entry of the level above.
        if (h === top) return -1;
        p = (end + 1) >>> FAN_SHIFT;
        h++;
        continue;
      }
      // Descend from entry q of level h to the first child that admits nb.
      while (h > 0) {
        const cw = off[h - 1]! + 4 * (q << FAN_SHIFT);
        let child = -1;
        for (let x = cw; x < cw + 4 * FAN; x += 4) {
          if (m.u32(x) >= nb) {
            child = (x - off[h - 1]!) / 4;
            break;
          }
        }
        if (child < 0) break;
        h--;
        q = child;
      }
      if (h === 0) return q;
      // Entry q of level h was stale: tighten it and go on after it.
      m.setU32(off[h]! + 4 * q, this.groupMax(h - 1, q));
      p = q + 1;
    }
  }

  /** The level-0 bound of region i (for check()). */
  bound(i: number): number {
    return this.m.u32(this.off[0]! + 4 * i);
  }

  /** Where an entry over regions [from, to] is below one of its children, described; or '' (for check()). */
  firstWrong(from: number, to: number): string {
    const m = this.m;
    const off = this.off;
    for (let h = 1; h <= this.topLevel; h++) {
      from >>>= FAN_SHIFT;
      to >>>= FAN_SHIFT;
      for (let g = from; g <= to; g++) {
        const gm = this.groupMax(h - 1, g);
        if (m.u32(off[h]! + 4 * g) < gm) return `level ${h} entry ${g} holds ${m.u32(off[h]! + 4 * g)}, below its largest child ${gm}`;
      }
    }
    return '';
  }
}
