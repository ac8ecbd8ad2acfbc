/*
 * BuddyFrames: physical memory as page frames, handed out by a binary buddy allocator
 * (Linux's alloc_pages / __free_pages).
 *
 * Structure: `totalFrames` frames numbered by pfn 0 … totalFrames − 1 (any count, not only a
 * power of two). A block of order k is 2^k frames starting at a pfn aligned to 2^k. Free blocks
 * sit on one doubly linked free list per order 0 … maxOrder.
 *
 * Layout (typed arrays only, no JavaScript object per frame):
 *   - `state[pfn]` (Int8Array): −1 for a frame that heads no block (the inside of a block, or
 *     nothing); `k` (0 … maxOrder) when pfn heads a FREE block of order k; `ALLOCATED + k` when
 *     pfn heads an ALLOCATED block of order k.
 *   - `next[pfn]`, `prev[pfn]` (Int32Array): the free-list links of a free block's head (−1 ends).
 *   - `heads[k]` (Int32Array): the first free block of order k, or −1; `counts[k]` its length.
 *
 * alloc(order) takes the first block of the smallest order ≥ order that has one, splits it down
 * (the upper half of each split goes onto the free list of its order) and marks the head. free
 * merges the block with its buddy (pfn ^ 2^k) while the buddy is a free block of the same order
 * lying wholly inside the frames, then puts the merged block on its list. The frames start as the
 * greatest aligned blocks that fit (a count that is not a power of two leaves smaller blocks at
 * the top), which is also what freeing everything merges back to.
 *
 * Invariants (check() walks them): every frame lies in exactly one free or allocated block;
 * two free buddies of the same order are never both free (they would have merged); counts[k]
 * is the length of list k; framesFree = Σ counts[k]·2^k; framesInUse + framesFree = totalFrames.
 * free() validates (range, alignment, order, double free) and throws FrameError before changing
 * anything. alloc and free make no JavaScript objects.
 */

import { HeaplabError, brandError } from '../errors.js';

/** Why `BuddyFrames.free` (or the constructor) refused. */
export type FrameErrorCode =
  | 'bad-order'
  | 'out-of-range'
  | 'misaligned'
  | 'double-free'
  | 'not-allocated'
  | 'wrong-order'
  | 'bad-count';

/** A frame call was refused; thrown before the frame allocator changes anything. */
export class FrameError extends HeaplabError {
  constructor(
    readonly code: FrameErrorCode,
    message: string,
    /** The page frame number involved, or −1. */
    readonly pfn: number = -1,
  ) {
    super(`${code}: ${message}`);
  }
}
brandError(FrameError, 'FrameError');

/** Options of `BuddyFrames`. */
export interface BuddyFramesOptions {
  /** The highest order a block can have (Linux's MAX_ORDER − 1): blocks of up to 2^maxOrder frames. 0 … 20, default 10. */
  maxOrder?: number;
}

/** Default highest order: 2^10 frames (4 MiB of 4 KiB pages), as Linux's MAX_ORDER 11. */
export const DEFAULT_MAX_ORDER = 10;
/** Highest `maxOrder` accepted. */
export const MAX_MAX_ORDER = 20;
/** Most frames a BuddyFrames holds (pfns are kept in Int32Array). */
export const MAX_FRAMES = 2 ** 31 - 1;

const NONE = -1;
const ALLOCATED = 64;

/** A binary buddy allocator of page frames. See the top of this file. */
export class BuddyFrames {
  /** Number of frames. */
  readonly totalFrames: number;
  /** Highest order (blocks of up to 2^maxOrder frames). */
  readonly maxOrder: number;
  private readonly state: Int8Array;
  private readonly next: Int32Array;
  private readonly prev: Int32Array;
  private readonly heads: Int32Array;
  private readonly counts: Int32Array;
  private inUse = 0;
  private peak = 0;

  constructor(totalFrames: number, options: BuddyFramesOptions = {}) {
    if (!Number.isSafeInteger(totalFrames) || totalFrames < 1 || totalFrames > MAX_FRAMES) {
      throw new FrameError('bad-count', `BuddyFrames: totalFrames must be an integer 1 … ${MAX_FRAMES}, got ${String(totalFrames)}`);
    }
    const maxOrder = options.maxOrder ?? DEFAULT_MAX_ORDER;
    if (!Number.isInteger(maxOrder) || maxOrder < 0 || maxOrder > MAX_MAX_ORDER) {
      throw new FrameError('bad-order', `BuddyFrames: maxOrder must be an integer 0 … ${MAX_MAX_ORDER}, got ${String(maxOrder)}`);
    }
    this.totalFrames = totalFrames;
    this.maxOrder = maxOrder;
    this.state = new Int8Array(totalFrames).fill(NONE);
    this.next = new Int32Array(totalFrames).fill(NONE);
    this.prev = new Int32Array(totalFrames).fill(NONE);
    this.heads = new Int32Array(maxOrder + 1).fill(NONE);
    this.counts = new Int32Array(maxOrder + 1);
    // Greatest aligned blocks that fit, lowest pfn first on each list.
    const tails = new Int32Array(maxOrder + 1).fill(NONE);
    let pfn = 0;
    while (pfn < totalFrames) {
      let k = maxOrder;
      while (k > 0 && ((pfn & ((1 << k) - 1)) !== 0 || pfn + (1 << k) > totalFrames)) k--;
      const t = tails[k]!;
      this.state[pfn] = k;
      this.prev[pfn] = t;
      if (t === NONE) this.heads[k] = pfn;
      else this.next[t] = pfn;
      tails[k] = pfn;
      this.counts[k]!++;
      pfn += 1 << k;
    }
  }

  /** Frames in allocated blocks. */
  get framesInUse(): number {
    return this.inUse;
  }

  /** The most frames in use at once since the frames were made (or since `resetPeak`). */
  get peakInUse(): number {
    return this.peak;
  }

  /** Starts the peak again from the frames in use now. */
  resetPeak(): void {
    this.peak = this.inUse;
  }

  /** Frames in free blocks. */
  get framesFree(): number {
    return this.totalFrames - this.inUse;
  }

  /** Bytes the frame allocator's own tables take (JavaScript typed arrays, outside any space). */
  get tableBytes(): number {
    return this.state.byteLength + this.next.byteLength + this.prev.byteLength + this.heads.byteLength + this.counts.byteLength;
  }

  /**
   * A block of 2^order contiguous frames aligned to 2^order: its first pfn, or −1 when no free
   * block of that order or above exists. Throws FrameError `bad-order` for an order outside 0 … maxOrder.
   */
  alloc(order: number): number {
    if (!(order >= 0 && order <= this.maxOrder && (order | 0) === order)) this.badOrder('alloc', order);
    let k = order;
    const heads = this.heads;
    while (k <= this.maxOrder && heads[k] === NONE) k++;
    if (k > this.maxOrder) return -1;
    const pfn = heads[k]!;
    this.unlink(pfn, k);
    while (k > order) {
      k--;
      this.pushHead(pfn + (1 << k), k);
    }
    this.state[pfn] = ALLOCATED + order;
    this.inUse += 1 << order;
    if (this.inUse > this.peak) this.peak = this.inUse;
    return pfn;
  }

  /**
   * Frees the block of 2^order frames at pfn, merging it with its free buddies. Throws FrameError
   * before any change: `out-of-range`, `misaligned` (pfn not a multiple of 2^order), `double-free`
   * (pfn lies in a free block), `not-allocated` (pfn heads no allocated block), `wrong-order`
   * (pfn heads an allocated block of another order).
   */
  free(pfn: number, order: number): void {
    if (!(order >= 0 && order <= this.maxOrder && (order | 0) === order)) this.badOrder('free', order);
    if (!(pfn >= 0 && pfn < this.totalFrames && (pfn | 0) === pfn)) {
      throw new FrameError('out-of-range', `free(${String(pfn)}, ${order}): pfn outside 0 … ${this.totalFrames - 1}`, typeof pfn === 'number' ? pfn : -1);
    }
    const s = this.state[pfn]!;
    if (s !== ALLOCATED + order) this.refuseFree(pfn, order, s);
    this.state[pfn] = NONE;
    this.inUse -= 1 << order;
    let k = order;
    let head = pfn;
    while (k < this.maxOrder) {
      const buddy = head ^ (1 << k);
      if (buddy + (1 << k) > this.totalFrames || this.state[buddy] !== k) break;
      this.unlink(buddy, k);
      this.state[buddy] = NONE;
      head = head < buddy ? head : buddy;
      k++;
    }
    this.pushHead(head, k);
  }

  /** Free blocks on the list of `order`. */
  freeCount(order: number): number {
    if (!(order >= 0 && order <= this.maxOrder && (order | 0) === order)) this.badOrder('freeCount', order);
    return this.counts[order]!;
  }

  /** Free blocks per order 0 … maxOrder, as a line of /proc/buddyinfo. */
  buddyinfo(): number[] {
    return Array.from(this.counts);
  }

  /** The highest order with a free block (the largest allocation that can still succeed), or −1 when no frame is free. */
  largestFreeOrder(): number {
    for (let k = this.maxOrder; k >= 0; k--) if (this.heads[k] !== NONE) return k;
    return -1;
  }

  /**
   * The unusable free space index of `order` (Gorman and Whitcroft; the kernel's
   * extfrag/unusable_index): the fraction of free frames lying in free blocks smaller than
   * 2^order, which no allocation of that order can use. 0: every free frame can serve it;
   * 1: none can (also when no frame is free).
   */
  unusableIndex(order: number): number {
    if (!(order >= 0 && order <= this.maxOrder && (order | 0) === order)) this.badOrder('unusableIndex', order);
    const free = this.framesFree;
    if (free === 0) return 1;
    let suitable = 0;
    for (let k = order; k <= this.maxOrder; k++) suitable += this.counts[k]! * 2 ** k;
    return (free - suitable) / free;
  }

  /** The order of the allocated block headed by pfn, or −1 when pfn heads none. */
  allocatedOrder(pfn: number): number {
    if (!(pfn >= 0 && pfn < this.totalFrames)) return -1;
    const s = this.state[pfn]!;
    return s >= ALLOCATED ? s - ALLOCATED : -1;
  }

  /** True when frame pfn lies in a free block. */
  isFree(pfn: number): boolean {
    return pfn >= 0 && pfn < this.totalFrames && this.freeBlockHolding(pfn) !== -1;
  }

  /** Walks every list and frame; throws Error naming the first broken invariant. */
  check(): void {
    const covered = new Uint8Array(this.totalFrames);
    let free = 0;
    for (let k = 0; k <= this.maxOrder; k++) {
      let n = 0;
      let prev = NONE;
      for (let p = this.heads[k]!; p !== NONE; p = this.next[p]!) {
        if (this.state[p] !== k) throw new Error(`buddy frames: pfn ${p} on list ${k} has state ${this.state[p]}`);
        if (this.prev[p] !== prev) throw new Error(`buddy frames: pfn ${p} on list ${k} has a broken back link`);
        if ((p & ((1 << k) - 1)) !== 0 || p + (1 << k) > this.totalFrames) throw new Error(`buddy frames: free block ${p} of order ${k} misaligned or past the end`);
        const buddy = p ^ (1 << k);
        if (k < this.maxOrder && buddy + (1 << k) <= this.totalFrames && this.state[buddy] === k) throw new Error(`buddy frames: free buddies ${p} and ${buddy} of order ${k} not merged`);
        for (let i = p; i < p + (1 << k); i++) {
          if (covered[i] !== 0) throw new Error(`buddy frames: frame ${i} in two blocks`);
          covered[i] = 1;
        }
        if (++n > this.totalFrames) throw new Error(`buddy frames: list ${k} loops`);
        prev = p;
      }
      if (n !== this.counts[k]) throw new Error(`buddy frames: list ${k} holds ${n} blocks, counted ${this.counts[k]}`);
      free += n * 2 ** k;
    }
    let used = 0;
    for (let p = 0; p < this.totalFrames; p++) {
      const s = this.state[p]!;
      if (s < ALLOCATED) continue;
      const k = s - ALLOCATED;
      for (let i = p; i < p + (1 << k); i++) {
        if (covered[i] !== 0) throw new Error(`buddy frames: frame ${i} both free and allocated`);
        covered[i] = 1;
      }
      used += 1 << k;
    }
    if (used !== this.inUse || used + free !== this.totalFrames) throw new Error(`buddy frames: ${used} in use + ${free} free ≠ ${this.totalFrames} (counted in use ${this.inUse})`);
  }

  // ---------------------------------------------------------------- internals

  private pushHead(pfn: number, k: number): void {
    const h = this.heads[k]!;
    this.state[pfn] = k;
    this.prev[pfn] = NONE;
    this.next[pfn] = h;
    if (h !== NONE) this.prev[h] = pfn;
    this.heads[k] = pfn;
    this.counts[k]!++;
  }

  private unlink(pfn: number, k: number): void {
    const n = this.next[pfn]!;
    const p = this.prev[pfn]!;
    if (p === NONE) this.heads[k] = n;
    else this.next[p] = n;
    if (n !== NONE) this.prev[n] = p;
    this.next[pfn] = NONE;
    this.prev[pfn] = NONE;
    this.counts[k]!--;
  }

  /** The head of the free block holding pfn, or −1. */
  private freeBlockHolding(pfn: number): number {
    for (let k = 0; k <= this.maxOrder; k++) {
      const h = pfn & ~((1 << k) - 1);
      if (this.state[h] === k) return h;
    }
    return -1;
  }

  private refuseFree(pfn: number, order: number, s: number): never {
    const call = `free(${pfn}, ${order})`;
    if (s >= ALLOCATED) throw new FrameError('wrong-order', `${call}: pfn heads an allocated block of order ${s - ALLOCATED}`, pfn);
    if ((pfn & ((1 << order) - 1)) !== 0) throw new FrameError('misaligned', `${call}: pfn is not a multiple of 2^${order}`, pfn);
    const h = this.freeBlockHolding(pfn);
    if (h !== -1) throw new FrameError('double-free', `${call}: frame ${pfn} is already free (in the free block at ${h} of order ${this.state[h]})`, pfn);
    throw new FrameError('not-allocated', `${call}: pfn heads no allocated block`, pfn);
  }

  private badOrder(call: string, order: number): never {
    throw new FrameError('bad-order', `${call}: order must be an integer 0 … ${this.maxOrder}, got ${String(order)}`);
  }
}

/** /proc/buddyinfo's line for `frames`: `Node 0, zone <zone>` then the free blocks per order. */
export function formatBuddyinfo(frames: BuddyFrames, zone = 'Normal'): string {
  return `Node 0, zone ${zone.padStart(8)} ` + frames.buddyinfo().map((n) => String(n).padStart(6)).join(' ');
}
