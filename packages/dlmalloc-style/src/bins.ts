/*
 * Bins: circular doubly linked lists of free chunks threaded through the chunks' fd/bk words,
 * their heads in the state page (layout.ts), and a bitmap of the bins that are not empty.
 *
 * Each bin head is two u32 words [fd, bk] at binsBase + 8·i; the bin is addressed as a fake chunk
 * f = binsBase + 8·i − 8, so that f+8 / f+12 are its fd / bk like any chunk's, and unlinking
 * needs no test for the ends. An empty bin has fd = bk = f.
 *
 * Order inside a bin (ORDER_*):
 *   - size (best fit): small bins LIFO (all chunks have one size); large bins ascending by size,
 *     so the first chunk ≥ n is the best fit in that bin.
 *   - address (first fit): every bin ascending by address; an insert walks from both ends at once.
 *   - none (next fit, which searches the heap itself from its rover): LIFO; every chunk that
 *     enters a bin raises next fit's free-size tree (roving.ts) over its address.
 * Under address order the bins also keep the lowest-address index (lowest.ts) told of every
 * change of a bin's first chunk, so first fit finds the lowest first chunk above a bin in
 * O(log NBINS). A chunk is its bin's first exactly when its bk is the bin head (a fake chunk in
 * the state page), which is how unlink and replace notice it.
 * Safe unlinking (option safeLinking): unlink and replace first check that c's neighbours point
 * back at it, fd(bk(c)) = c and bk(fd(c)) = c, as glibc's "corrupted double-linked list" check,
 * and report a forged link through `onCorrupt` before writing anything.
 * Links are in-band words: a chunk's address less the allocator's window base (allocator.ts; the
 * address itself in a flat space), read as wb + m.u32(c + 8) and written as m.setU32(c + 8, x − wb),
 * so they hold any address of the window, bin heads included, in a 2^47 space too.
 * Invariants: bitmap bit i ⇔ fd(f_i) ≠ f_i; every chunk in bin i is free and binIndex(size) = i;
 * the order above holds.
 */

import type { RawMemory } from '@heaplab/core';
import { BINS_OFFSET, NBINS, SMALL_LIMIT, S_BIN_BITMAP, binIndex } from './layout.js';
import { EMPTY, LowestIndex } from './lowest.js';
import type { RovingIndex } from './roving.js';

export const ORDER_SIZE = 0;
export const ORDER_ADDRESS = 1;
export const ORDER_NONE = 2;

export class Bins {
  /** Address of bin 0's fake chunk; bin i's is fake0 + 8·i. */
  readonly fake0: number;
  /** Byte address of the bitmap's first word. */
  readonly bma: number;
  /** Address order only: the lowest-address index; null under the other orders. */
  readonly lowest: LowestIndex | null;
  /** Next fit only: the free-size tree (roving.ts), told of every chunk that enters a bin; set by the allocator. */
  roving: RovingIndex | null = null;
  /** Safe unlinking on (set by the allocator from its safeLinking option). */
  safe = false;
  /** Reports a chunk whose neighbours do not point back at it (the allocator raises corrupted-link). */
  onCorrupt: (c: number, fd: number, bk: number) => never = (c, fd, bk) => {
    throw new Error(`bin links of ${c} are damaged (fd ${fd}, bk ${bk})`);
  };

  constructor(
    /** The space's raw memory. */
    public m: RawMemory,
    stateBase: number,
    /** ORDER_SIZE, ORDER_ADDRESS or ORDER_NONE. */
    readonly order: number,
    /** The window base: links hold address − wb. */
    readonly wb: number,
  ) {
    this.fake0 = stateBase + BINS_OFFSET - 8;
    this.bma = stateBase + S_BIN_BITMAP;
    for (let i = 0; i < NBINS; i++) {
      const f = this.fake0 + 8 * i;
      m.setU32(f + 8, f - wb);
      m.setU32(f + 12, f - wb);
    }
    this.lowest = order === ORDER_ADDRESS ? new LowestIndex(m, stateBase, this.fake0, wb) : null;
  }

  /** True when x is a bin head (a fake chunk in the state page), i.e. a chunk whose bk is x is its bin's first. */
  private isHead(x: number): boolean {
    return x >= this.fake0 && x < this.fake0 + 8 * NBINS;
  }

  /** The fake chunk of bin i. */
  bin(i: number): number {
    return this.fake0 + (i << 3);
  }

  /**
   * Puts free chunk c of size s (head and footer already written) into its bin. Linked between
   * prev and next; at the front (LIFO bins, or an empty one) prev is the bin head itself, so the
   * first chunk's bk, a cold line, is written but not read.
   */
  insert(c: number, s: number): void {
    const m = this.m;
    const wb = this.wb;
    const i = binIndex(s);
    const f = this.fake0 + (i << 3);
    let next = wb + m.u32(f + 8);
    let prev = f;
    if (next === f) {
      const bw = this.bma + ((i >>> 5) << 2);
      m.setU32(bw, m.u32(bw) | (1 << (i & 31)));
    } else if (this.order === ORDER_ADDRESS || (this.order === ORDER_SIZE && s >= SMALL_LIMIT)) {
      this.placeOrdered(f, next, this.order === ORDER_ADDRESS ? c : s);
      prev = this.walkPrev;
      next = this.walkNext;
    }
    m.setU32(c + 8, next - wb);
    m.setU32(c + 12, prev - wb);
    m.setU32(prev + 8, c - wb);
    m.setU32(next + 12, c - wb);
    if (prev === f && this.lowest !== null) this.lowest.changed(i);
    if (this.roving !== null) this.roving.raise(c, s);
  }

  /** Where placeOrdered found a chunk goes: between walkPrev and walkNext (fields: no object per call). */
  private walkPrev = 0;
  private walkNext = 0;

  /**
   * Ordered bins (best fit's large bins by ascending size, first fit's by ascending address): a
   * chunk of key `key` goes before the first chunk whose key is at least its own, which is after
   * the last chunk below it. Two walks at once, forward from the first chunk and back from the
   * last, and whichever gets there first decides: steps are the nearer end's distance (on churn,
   * by size 2.9 instead of 5.7 from the front; by address 26, where guessing the nearer end from
   * the addresses walked 51), and each step's two cold reads are independent. Out of insert's
   * line so that insert stays small enough for V8 to inline into free.
   */
  private placeOrdered(f: number, first: number, key: number): void {
    const m = this.m;
    const wb = this.wb;
    const byAddress = this.order === ORDER_ADDRESS;
    let fwd = first;
    let fwdPrev = f;
    let back = wb + m.u32(f + 12);
    let backNext = f;
    for (;;) {
      if ((byAddress ? fwd : (m.u32(fwd + 4) & ~15) >>> 0) >= key) {
        this.walkPrev = fwdPrev;
        this.walkNext = fwd;
        return;
      }
      if ((byAddress ? back : (m.u32(back + 4) & ~15) >>> 0) < key) {
        this.walkPrev = back;
        this.walkNext = backNext;
        return;
      }
      // key(fwd) < key ≤ key(back): neither walk can pass the other's end of the list.
      fwdPrev = fwd;
      fwd = wb + m.u32(fwd + 8);
      backNext = back;
      back = wb + m.u32(back + 12);
    }
  }

  /** Safe unlinking: throws through onCorrupt unless c's neighbours in its bin point back at it. */
  verify(c: number): void {
    const m = this.m;
    const wb = this.wb;
    const fd = wb + m.u32(c + 8);
    const bk = wb + m.u32(c + 12);
    if (wb + m.u32(fd + 12) !== c || wb + m.u32(bk + 8) !== c) this.onCorrupt(c, fd, bk);
  }

  /** Takes free chunk c of size s out of its bin. */
  unlink(c: number, s: number): void {
    const m = this.m;
    const wb = this.wb;
    const fo = m.u32(c + 8);
    const bo = m.u32(c + 12);
    const fd = wb + fo;
    const bk = wb + bo;
    if (this.safe) this.verify(c);
    m.setU32(fd + 12, bo);
    m.setU32(bk + 8, fo);
    if (fo === bo) {
      const i = binIndex(s);
      const bw = this.bma + ((i >>> 5) << 2);
      m.setU32(bw, m.u32(bw) & ~(1 << (i & 31)));
    }
    if (this.lowest !== null && this.isHead(bk)) this.lowest.changed((bk - this.fake0) >>> 3);
  }

  /** Puts chunk r where chunk c was in c's bin (same bin, and order kept), taking c out. */
  replace(c: number, r: number): void {
    const m = this.m;
    const wb = this.wb;
    const fo = m.u32(c + 8);
    const bo = m.u32(c + 12);
    const fd = wb + fo;
    const bk = wb + bo;
    if (this.safe) this.verify(c);
    m.setU32(r + 8, fo);
    m.setU32(r + 12, bo);
    m.setU32(fd + 12, r - wb);
    m.setU32(bk + 8, r - wb);
    if (this.lowest !== null && this.isHead(bk)) this.lowest.changed((bk - this.fake0) >>> 3);
    if (this.roving !== null) this.roving.raise(r, (m.u32(r + 4) & ~15) >>> 0);
  }

  /** The first non-empty bin with index ≥ i, or −1. */
  nextNonEmpty(i: number): number {
    if (i >= NBINS) return -1;
    const m = this.m;
    let w = i >>> 5;
    let bits = m.u32(this.bma + (w << 2)) & (-1 << (i & 31));
    while (bits === 0) {
      if (++w >= 8) return -1;
      bits = m.u32(this.bma + (w << 2));
    }
    return (w << 5) + 31 - Math.clz32(bits & -bits);
  }

  /**
   * Best fit (size-ordered bins): the smallest free chunk of size ≥ n, or 0. Looks in n's own bin
   * (walking a large bin only when its largest chunk fits), then takes the first chunk of the next
   * non-empty bin, which is the smallest there. The walk goes from both ends at once: forward to
   * the first chunk ≥ n, back to the chunk ≥ n whose predecessor is smaller — the same chunk.
   */
  bestFit(n: number): number {
    const m = this.m;
    const wb = this.wb;
    const i = binIndex(n);
    const f = this.fake0 + (i << 3);
    let fwd = wb + m.u32(f + 8);
    if (fwd !== f) {
      if (n < SMALL_LIMIT) return fwd;
      let back = wb + m.u32(f + 12);
      if (((m.u32(back + 4) & ~15) >>> 0) >= n) {
        for (;;) {
          if (((m.u32(fwd + 4) & ~15) >>> 0) >= n) return fwd;
          const b = wb + m.u32(back + 12);
          if (b === f || ((m.u32(b + 4) & ~15) >>> 0) < n) return back;
          fwd = wb + m.u32(fwd + 8);
          back = b;
        }
      }
    }
    const j = this.nextNonEmpty(i + 1);
    return j < 0 ? 0 : wb + m.u32(this.fake0 + (j << 3) + 8);
  }

  /**
   * First fit (address-ordered bins): the lowest-addressed free chunk of size ≥ n, or 0. Every
   * chunk in a bin above n's fits, so the lowest of them is the lowest first chunk of those bins,
   * which the lowest-address index gives in O(log NBINS); n's own bin is walked past the chunks
   * too small. Cost: the index's path, plus that walk.
   */
  firstFit(n: number): number {
    const m = this.m;
    const wb = this.wb;
    const own = binIndex(n);
    // wb + EMPTY lies above every chunk of the window.
    let best = wb + this.lowest!.lowestFrom(own + 1);
    const f = this.fake0 + (own << 3);
    for (let x = wb + m.u32(f + 8); x !== f && x < best; x = wb + m.u32(x + 8)) {
      if (((m.u32(x + 4) & ~15) >>> 0) >= n) {
        best = x;
        break;
      }
    }
    return best === wb + EMPTY ? 0 : best;
  }
}
