/*
 * The lowest-address index of first fit: a tournament tree over the bins, answering "the
 * lowest-addressed first chunk among bins j … 239" in O(log NBINS) reads instead of one read per
 * non-empty bin (about 105 of them per request on the churn workload). Kept only under first
 * fit, whose bins are address-ordered, so a bin's first chunk is its lowest.
 *
 * Layout, in the state page (layout.ts, LOWEST_OFFSET): u32 node k at LOWEST_OFFSET + 4·k for
 * k = 1 … 255 (word 0 unused). Leaves are not stored: leaf 256 + i is bin i's first chunk, read
 * from the bin head (EMPTY when the bin is empty or i ≥ NBINS). Node k = min(node 2k, node 2k+1).
 * Nodes hold chunk addresses as their in-band form, the offset from the allocator's window base
 * (allocator.ts; the address itself in a flat space), so the order is the address order.
 * EMPTY = 2^32 − 1, above every chunk's offset (chunks are 16-aligned inside the window).
 *
 * Invariant (checked by check.ts): every node holds the min of its two children. Bins keeps it
 * by calling changed(i) whenever bin i's first chunk changes (insert at the front, unlink or
 * replace of the first chunk, a bin emptied).
 */

import type { RawMemory } from '@heaplab/core';
import { LOWEST_OFFSET, NBINS } from './layout.js';

export const EMPTY = 0xffffffff;
const LEAVES = 256;

export class LowestIndex {
  /** Byte address of node 0 (node k is at ta + 4·k). */
  readonly ta: number;
  /** Offset form of bin 0's fake chunk (fake0 − window base). */
  private readonly fakeOff: number;

  constructor(
    public m: RawMemory,
    stateBase: number,
    /** Address of bin 0's fake chunk (bins.ts); bin i's is fake0 + 8·i. */
    readonly fake0: number,
    /** The window base: in-band words hold address − wb. */
    readonly wb: number,
  ) {
    this.ta = stateBase + LOWEST_OFFSET;
    this.fakeOff = fake0 - wb;
    for (let k = 1; k < LEAVES; k++) m.setU32(this.ta + 4 * k, EMPTY);
  }

  /** Value of node k (1 ≤ k < 512), an offset: stored for k < 256, read from bin k − 256's head above. */
  node(k: number): number {
    if (k < LEAVES) return this.m.u32(this.ta + 4 * k);
    const i = k - LEAVES;
    if (i >= NBINS) return EMPTY;
    const fd = this.m.u32(this.fake0 + (i << 3) + 8);
    return fd === this.fakeOff + (i << 3) ? EMPTY : fd;
  }

  /** Bin i's first chunk changed (or the bin emptied): recompute the path to the root. */
  changed(i: number): void {
    const m = this.m;
    const ta = this.ta;
    for (let k = (LEAVES + i) >>> 1; k >= 1; k >>>= 1) {
      const l = this.node(2 * k);
      const r = this.node(2 * k + 1);
      const v = l < r ? l : r;
      if (m.u32(ta + 4 * k) === v) return; // the nodes above depend on nothing else that changed
      m.setU32(ta + 4 * k, v);
    }
  }

  /** The lowest first-chunk offset among bins j … NBINS − 1, or EMPTY. */
  lowestFrom(j: number): number {
    let lo = LEAVES + j;
    let hi = 2 * LEAVES;
    let m = EMPTY;
    while (lo < hi) {
      if (lo & 1) {
        const v = this.node(lo++);
        if (v < m) m = v;
      }
      if (hi & 1) {
        const v = this.node(--hi);
        if (v < m) m = v;
      }
      lo >>>= 1;
      hi >>>= 1;
    }
    return m;
  }

  /** The first node (1 … 255) that is not the min of its children, or 0 (for check()). */
  firstWrong(): number {
    for (let k = 1; k < LEAVES; k++) {
      const l = this.node(2 * k);
      const r = this.node(2 * k + 1);
      if (this.m.u32(this.ta + 4 * k) !== (l < r ? l : r)) return k;
    }
    return 0;
  }
}
