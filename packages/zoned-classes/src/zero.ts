/*
 * Zeroing and zero checks over the space's raw views, for zero on free and the write-after-free
 * check. Short ranges (≤ 256 bytes, the common slot) go word by word through the Int32Array view,
 * OR-ing the words so the loop has no branch per word; longer ones use TypedArray.fill and
 * Buffer.compare (memcmp) against a zero page.
 * Ranges are 4-byte aligned and a multiple of 4 long (slots are 16-aligned, usable sizes
 * multiples of 8). A Buffer view of the space's buffer is remade if the buffer changes (wasm grow).
 */

import { Buffer } from 'node:buffer';
import type { AddressSpace } from '@heaplab/core';

const ZERO = Buffer.alloc(65536);
const SHORT = 256;

export class Zero {
  private buf: Buffer;

  constructor(private readonly space: AddressSpace) {
    this.buf = Buffer.from(space.buffer as ArrayBuffer);
  }

  /** True when [addr, addr + len) holds only zero bytes. */
  isZero(addr: number, len: number): boolean {
    if (len <= SHORT) {
      const i32 = this.space.i32;
      const end = (addr + len) >>> 2;
      let any = 0;
      for (let w = addr >>> 2; w < end; w++) any |= i32[w]!;
      return any === 0;
    }
    if (this.buf.buffer !== this.space.buffer) this.buf = Buffer.from(this.space.buffer as ArrayBuffer);
    for (let at = addr; at < addr + len; at += ZERO.length) {
      const n = Math.min(ZERO.length, addr + len - at);
      if (this.buf.compare(ZERO, 0, n, at, at + n) !== 0) return false;
    }
    return true;
  }

  /** Zeroes [addr, addr + len). */
  clear(addr: number, len: number): void {
    if (len <= SHORT) {
      const i32 = this.space.i32;
      const end = (addr + len) >>> 2;
      for (let w = addr >>> 2; w < end; w++) i32[w] = 0;
      return;
    }
    this.space.u8.fill(0, addr, addr + len);
  }
}
