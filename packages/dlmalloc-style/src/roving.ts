/*
 * Next fit's free-size tree: answers "the first region at or after region i that may hold a
 * free chunk of at least nb bytes" in O(log regions), so next fit's search from its rover skips
 * the in-use chunks (and the free ones too small) between the rover and the chunk that fits,
 * instead of reading every header on the way. Kept only under next fit.
 *
 * The heap's address range [start_brk, end of space) is cut into regions of REGION = 1 KiB (two
 * words of the chunk-start bitmap, at most 64 chunk starts). A perfect binary tree of u32 nodes
 * sits in the state mapping after the chunk-start bitmap (layout.ts; allocator.ts places it):
 * node k (1 … 2T − 1) at tw + k, children 2k and 2k + 1, leaf T + i for region i (T a power of
 * two ≥ the number of regions; 8·T bytes, (space − start_brk) / 128 — as much address space as
 * the chunk-start bitmap, of which only the nodes over the heap are ever written).
 *
 * Invariant (an upper bound, checked by check.ts): leaf i ≥ the size of every binned free chunk
 * starting in region i, and every node ≥ both its children. Kept by:
 *   - raise(c, s) whenever a chunk enters a bin (bins.ts insert and replace): the leaf and its
 *     ancestors are raised to s while they are below it;
 *   - nothing when a chunk leaves a bin (the bound just goes stale);
 *   - tighten(i, max) when a search has read a whole region and found no fit: the leaf becomes the
 *     exact largest free size seen there and its ancestors are recomputed up to where they do not
 *     change; find() also tightens an inner node whose children both turned out below nb.
 * So a stale bound costs at most one extra region scan (or one extra descent step), after which it
 * is exact: paid for, once, by the unlink that made it stale.
 */

/** log2 of the region size (bytes). */
export const REGION_SHIFT = 10;

export class RovingIndex {
  /** u32 index of node 0 (unused); node k is at tw + k. */
  readonly tw: number;
  /** Number of leaves (a power of two). */
  readonly leaves: number;

  constructor(
    /** The view of the buffer (the allocator replaces it when views are remade). */
    public u32: Uint32Array,
    /** Byte address of the tree (16-aligned, zero-filled: every bound 0). */
    at: number,
    /** The address region 0 starts at (the space's start_brk). */
    readonly base: number,
    /** Bytes of address range covered (space size − start_brk). */
    span: number,
  ) {
    this.tw = at >>> 2;
    this.leaves = RovingIndex.leavesFor(span);
  }

  /** Leaves of the tree over `span` bytes. */
  static leavesFor(span: number): number {
    const regions = Math.max(1, Math.ceil(span / 2 ** REGION_SHIFT));
    return 2 ** Math.ceil(Math.log2(regions));
  }

  /** Bytes of the tree over `span` bytes. */
  static bytesFor(span: number): number {
    return 8 * RovingIndex.leavesFor(span);
  }

  /** The region holding address c. */
  region(c: number): number {
    return (c - this.base) >>> REGION_SHIFT;
  }

  /** A free chunk c of s bytes entered a bin: raise the bounds over its region. */
  raise(c: number, s: number): void {
    const u32 = this.u32;
    const tw = this.tw;
    for (let k = this.leaves + ((c - this.base) >>> REGION_SHIFT); k >= 1 && u32[tw + k]! < s; k >>>= 1) u32[tw + k] = s;
  }

  /** Region i was read whole and its largest free chunk has `max` bytes (0: none): make its bound exact. */
  tighten(i: number, max: number): void {
    const u32 = this.u32;
    const tw = this.tw;
    let k = this.leaves + i;
    if (u32[tw + k] === max) return;
    u32[tw + k] = max;
    for (k >>>= 1; k >= 1; k >>>= 1) {
      const l = u32[tw + 2 * k]!;
      const r = u32[tw + 2 * k + 1]!;
      const m = l > r ? l : r;
      if (u32[tw + k] === m) return;
      u32[tw + k] = m;
    }
  }

  /**
   * The first region ≥ i whose bound is at least nb, or −1. Climbs right from leaf i, then
   * descends into the first subtree whose bound is ≥ nb; a node whose children both fall below
   * nb had a stale bound: it is tightened and the climb goes on past it.
   */
  find(i: number, nb: number): number {
    const u32 = this.u32;
    const tw = this.tw;
    const leaves = this.leaves;
    if (i >= leaves) return -1;
    let k = leaves + i;
    if (u32[tw + k]! >= nb) return i;
    for (;;) {
      while (k & 1) k >>>= 1;
      if (k === 0) return -1;
      k++;
      if (u32[tw + k]! < nb) continue;
      while (k < leaves) {
        const l = 2 * k;
        if (u32[tw + l]! >= nb) k = l;
        else if (u32[tw + l + 1]! >= nb) k = l + 1;
        else {
          const a = u32[tw + l]!;
          const b = u32[tw + l + 1]!;
          u32[tw + k] = a > b ? a : b;
          break;
        }
      }
      if (k >= leaves) return k - leaves;
    }
  }

  /** The bound of region i's leaf (for check()). */
  bound(i: number): number {
    return this.u32[this.tw + this.leaves + i]!;
  }

  /** The first node over leaves [from, to] below one of its children, or 0 (for check()). */
  firstWrong(from: number, to: number): number {
    const u32 = this.u32;
    const tw = this.tw;
    let lo = this.leaves + from;
    let hi = this.leaves + to;
    while (lo > 1) {
      lo >>>= 1;
      hi >>>= 1;
      for (let k = lo; k <= hi; k++) {
        if (u32[tw + k]! < u32[tw + 2 * k]! || u32[tw + k]! < u32[tw + 2 * k + 1]!) return k;
      }
    }
    return 0;
  }
}
