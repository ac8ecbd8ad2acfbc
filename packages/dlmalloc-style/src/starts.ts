/*
 * The chunk-start bitmap: one bit per 16-byte granule of [start_brk, end of space), set where a
 * heap chunk (in use, free, the victim or the top) starts. It lives in the state mapping after
 * the state page (layout.ts): (space size − start_brk) / 128 bytes of address space, of which
 * only the words covering the heap are ever written (about 0.8 % of the heap's resident pages).
 *
 * Uses: free and usableSize accept a heap pointer only when a chunk starts 16 bytes below it (so a
 * forged or interior pointer is rejected exactly, without trusting the bytes there), and blockAt
 * finds the chunk holding an interior address by scanning the bits down from it with Math.clz32:
 * O(distance to the chunk start / 512 bytes) word reads — one or two for small chunks, at most
 * 512 for a 256 KiB chunk.
 *
 * The bitmap covers the allocator's heap window (allocator.ts): [start_brk, end of space) in a
 * flat space, 4 GiB from the break in a paged one, so a granule index (c − base) / 16 stays below
 * 2^28 and a word's address is at + 4 · (index / 32), read through the space's RawMemory.
 *
 * Invariant: bit(a) ⇔ a is the address of a chunk between the heap base and the top's end.
 */

import type { RawMemory } from '@heaplab/core';

export class ChunkStarts {
  constructor(
    public m: RawMemory,
    /** Byte address of the bitmap. */
    readonly at: number,
    /** The address bit 0 stands for (the window's heap start). */
    readonly base: number,
  ) {}

  set(c: number): void {
    const i = (c - this.base) >>> 4;
    const w = this.at + ((i >>> 5) << 2);
    this.m.setU32(w, this.m.u32(w) | (1 << (i & 31)));
  }

  clear(c: number): void {
    const i = (c - this.base) >>> 4;
    const w = this.at + ((i >>> 5) << 2);
    this.m.setU32(w, this.m.u32(w) & ~(1 << (i & 31)));
  }

  has(c: number): boolean {
    const i = (c - this.base) >>> 4;
    return (this.m.u32(this.at + ((i >>> 5) << 2)) & (1 << (i & 31))) !== 0;
  }

  /** The highest chunk start ≤ addr and ≥ floor, or −1. */
  below(addr: number, floor: number): number {
    const m = this.m;
    const at = this.at;
    const i = (addr - this.base) >>> 4;
    const stop = at + (((floor - this.base) >>> 9) << 2);
    let w = at + ((i >>> 5) << 2);
    const b = i & 31;
    let bits = m.u32(w) & (b === 31 ? -1 : (1 << (b + 1)) - 1);
    while (bits === 0) {
      w -= 4;
      if (w < stop) return -1;
      bits = m.u32(w);
    }
    const c = this.base + ((((w - at) >>> 2) << 5) + 31 - Math.clz32(bits)) * 16;
    return c >= floor ? c : -1;
  }

  /** Number of set bits over the words covering [from, to) (for check()). */
  count(from: number, to: number): number {
    if (to <= from) return 0;
    const m = this.m;
    const a = this.at + (((from - this.base) >>> 9) << 2);
    const z = this.at + (((to - 1 - this.base) >>> 9) << 2);
    let n = 0;
    for (let w = a; w <= z; w += 4) {
      let v = m.u32(w);
      v = v - ((v >>> 1) & 0x55555555);
      v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
      n += (((v + (v >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
    }
    return n;
  }
}
