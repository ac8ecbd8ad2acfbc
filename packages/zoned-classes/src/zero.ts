/*
 * Zeroing and zero checks through the space's raw memory, for zero on free and the
 * write-after-free check. Short ranges (≤ 256 bytes, the common slot) go word by word, OR-ing the
 * words so the loop has no branch per word; longer ones use RawMemory's fill and isZero (memset,
 * and memcmp against a zero page; a paged space skips pages it never gave a frame).
 * Ranges are 4-byte aligned and a multiple of 4 long (slots are 16-aligned, usable sizes
 * multiples of 8).
 */

import type { AddressSpace, RawMemory } from '@heaplab/core';

const SHORT = 256;

export class Zero {
  private readonly mem: RawMemory;

  constructor(space: AddressSpace) {
    this.mem = space.raw;
  }

  /** True when [addr, addr + len) holds only zero bytes. */
  isZero(addr: number, len: number): boolean {
    const m = this.mem;
    if (len > SHORT) return m.isZero(addr, len);
    let any = 0;
    for (let a = addr; a < addr + len; a += 4) any |= m.i32(a);
    return any === 0;
  }

  /** Zeroes [addr, addr + len). */
  clear(addr: number, len: number): void {
    const m = this.mem;
    if (len > SHORT) return m.fill(addr, len, 0);
    for (let a = addr; a < addr + len; a += 4) m.setI32(a, 0);
  }
}
