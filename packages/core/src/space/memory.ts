/*
 * RawMemory: the one way allocators and wrappers read and write the space's bytes without
 * protection checks (the program's side goes through the space's checked load/store).
 *
 * Addresses are plain numbers, exact below 2^53; a space of at most 4 GiB is "flat" (an address
 * is an offset into one buffer) and larger ones are "paged" (a page table maps a virtual page to a
 * frame; an untouched page reads as zero and takes a frame on its first write). Allocators never
 * index a typed array with an address: they call these methods, so the same code runs at any size.
 *
 * Alignment: u16 accesses are 2-aligned, u32/i32 4-aligned, f64 8-aligned; a multi-byte access
 * never straddles a page. fill/copy/isZero/equal take any range inside mapped pages.
 *
 * FlatMemory is the ≤ 4 GiB implementation over the space's views. Its methods are one typed
 * array access each, so V8 inlines them where the call site sees one class (a benchmark's
 * allocator over one flat space). It follows the space's views: a wasm-backed space remakes
 * them when its memory grows, and FlatMemory rebinds in its refresh listener, which the space
 * registers before any allocator's.
 */

import { Buffer } from 'node:buffer';
import type { AddressSpace } from './address-space.js';

/** Unchecked access to a space's bytes by address. See the file comment for alignment rules. */
export interface RawMemory {
  /** 'flat' when an address is an offset into one buffer (spaces ≤ 4 GiB), 'paged' otherwise. */
  readonly kind: 'flat' | 'paged';
  /** The byte at `a`. */
  u8(a: number): number;
  /** Stores the low 8 bits of `v` at `a`. */
  setU8(a: number, v: number): void;
  /** The little-endian unsigned 16-bit word at `a` (2-aligned). */
  u16(a: number): number;
  /** Stores the low 16 bits of `v` at `a` (2-aligned). */
  setU16(a: number, v: number): void;
  /** The unsigned 32-bit word at `a` (4-aligned), 0 … 2^32 − 1. */
  u32(a: number): number;
  /** Stores the low 32 bits of `v` at `a` (4-aligned). */
  setU32(a: number, v: number): void;
  /** The signed 32-bit word at `a` (4-aligned). */
  i32(a: number): number;
  /** Stores `v` as a signed 32-bit word at `a` (4-aligned). */
  setI32(a: number, v: number): void;
  /** The float64 at `a` (8-aligned). Allocators keep counters and 64-bit addresses in these. */
  f64(a: number): number;
  /** Stores the float64 `v` at `a` (8-aligned). */
  setF64(a: number, v: number): void;
  /** Sets `len` bytes from `a` to `byte`, as memset. */
  fill(a: number, len: number, byte: number): void;
  /** Copies `len` bytes from `src` to `dst`; the ranges may overlap (memmove). */
  copy(dst: number, src: number, len: number): void;
  /** True when [a, a + len) holds only zero bytes. Reads no frame a paged space never wrote. */
  isZero(a: number, len: number): boolean;
  /** True when [a, a + len) and [b, b + len) hold the same bytes (memcmp == 0). */
  equal(a: number, b: number, len: number): boolean;
  /** Copies [a, a + out.length) into `out` and returns it. */
  readInto(a: number, out: Uint8Array): Uint8Array;
  /** Copies `bytes` to [a, a + bytes.length). */
  writeFrom(a: number, bytes: Uint8Array): void;
  /**
   * The Int32Array that Atomics operate on for word addresses: `Atomics.op(m.atomicWords,
   * m.atomicIndex(a), …)`. Read it again after a call that may grow a wasm memory.
   */
  readonly atomicWords: Int32Array;
  /** The index in `atomicWords` of the 4-aligned word at `a` (a paged space takes its frame). */
  atomicIndex(a: number): number;
  /** The BigUint64Array that Atomics operate on for 8-aligned 64-bit words (tagged pointers). */
  readonly atomicWords64: BigUint64Array;
  /** The index in `atomicWords64` of the 8-aligned 64-bit word at `a` (a paged space takes its frame). */
  atomicIndex64(a: number): number;
}

/** RawMemory of a flat space (≤ 4 GiB): each address is an offset into the space's buffer. */
export class FlatMemory implements RawMemory {
  readonly kind = 'flat' as const;
  private v8!: Uint8Array;
  private v16!: Uint16Array;
  private vi32!: Int32Array;
  private vu32!: Uint32Array;
  private vf64!: Float64Array;
  private buf!: Buffer;
  /** @inheritdoc */
  atomicWords!: Int32Array;
  /** @inheritdoc */
  atomicWords64!: BigUint64Array;

  constructor(space: AddressSpace) {
    this.bind(space);
    space.onRefresh((s) => this.bind(s));
  }

  /** Takes the space's current views (called again after a wasm memory grew). */
  private bind(space: AddressSpace): void {
    this.v8 = space.u8;
    this.v16 = space.u16;
    this.vi32 = space.i32;
    this.vu32 = space.u32;
    this.vf64 = space.f64;
    this.buf = space.bytes;
    this.atomicWords = space.i32;
    this.atomicWords64 = new BigUint64Array(space.buffer, 0, Math.floor(space.buffer.byteLength / 8));
  }

  u8(a: number): number { return this.v8[a]!; }
  setU8(a: number, v: number): void { this.v8[a] = v; }
  u16(a: number): number { return this.v16[a >>> 1]!; }
  setU16(a: number, v: number): void { this.v16[a >>> 1] = v; }
  u32(a: number): number { return this.vu32[a >>> 2]!; }
  setU32(a: number, v: number): void { this.vu32[a >>> 2] = v; }
  i32(a: number): number { return this.vi32[a >>> 2]!; }
  setI32(a: number, v: number): void { this.vi32[a >>> 2] = v; }
  f64(a: number): number { return this.vf64[a >>> 3]!; }
  setF64(a: number, v: number): void { this.vf64[a >>> 3] = v; }
  atomicIndex(a: number): number { return a >>> 2; }
  atomicIndex64(a: number): number { return a >>> 3; }

  fill(a: number, len: number, byte: number): void {
    if (len > 0) this.v8.fill(byte, a, a + len);
  }

  copy(dst: number, src: number, len: number): void {
    if (len > 0 && dst !== src) this.v8.copyWithin(dst, src, src + len);
  }

  isZero(a: number, len: number): boolean {
    if (len <= 64) {
      const v = this.v8;
      let any = 0;
      for (let i = a; i < a + len; i++) any |= v[i]!;
      return any === 0;
    }
    for (let at = a; at < a + len; at += ZERO.length) {
      const n = Math.min(ZERO.length, a + len - at);
      if (this.buf.compare(ZERO, 0, n, at, at + n) !== 0) return false;
    }
    return true;
  }

  equal(a: number, b: number, len: number): boolean {
    return len <= 0 || this.buf.compare(this.buf, a, a + len, b, b + len) === 0;
  }

  readInto(a: number, out: Uint8Array): Uint8Array {
    out.set(this.v8.subarray(a, a + out.length));
    return out;
  }

  writeFrom(a: number, bytes: Uint8Array): void {
    this.v8.set(bytes, a);
  }
}

/** A zero page to compare long ranges against (memcmp speed). */
const ZERO = Buffer.alloc(65536);
