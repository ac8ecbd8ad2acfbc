/*
 * AllocatorBase: the contract's edges, written once. A concrete allocator implements
 * the primitives (allocate, release, sizes, lookup, check) and gets from here:
 *   - argument validation (`bad-size`, `bad-alignment`, pointers that are not integers);
 *   - the C edge cases: malloc(0) → unique pointer (the subclass sees size 0), free(0) no-op,
 *     realloc(0, n) = malloc, realloc(p, 0) = free + 0, too-large requests and calloc
 *     overflow → 0, a failed realloc leaves p valid;
 *   - call and failure counters, and `owns()` from the space's page owners;
 *   - realloc validates the old block through `validateRelease` (the checks `release` makes)
 *     before it resizes in place or allocates, so a misuse it raises leaves the heap unchanged;
 *   - `objectSize` (strict object size) from `blockAt`, with `freedBlockAt` telling a freed
 *     block (`use-after-free`) from an address never in a block (`invalid-free`).
 *
 * Invariant the subclass keeps: every primitive that detects misuse throws before changing any
 * state; `allocate` returns 0 (never throws) when memory runs out, leaving the heap usable.
 * Hot paths add one integer check and one counter increment per call; no JS object is made.
 * malloc and free test their arguments inline with the very conditions of validate.ts and call
 * its checks only to throw (same errors, same messages), and use module-own copies of its
 * constants: an imported binding is a live cell that V8 reloads and checks at every use, which
 * costs more than the test itself on the replay engine's per-event path.
 */

import type { Allocator, AllocatorStats, BlockInfo, CallCounts, Identity } from '../api.js';
import { AllocatorError, hex } from '../errors.js';
import { createIdentity, type IdentityInit } from '../identity.js';
import type { AddressSpace } from '../space/address-space.js';
import { MIN_ALIGN, checkAlignment, checkPointer, checkSize } from './validate.js';

/** What a subclass reports about its blocks; the base adds calls and failures. */
export interface HeapFigures {
  liveBlocks: number;
  liveBytes: number;
  usableBytes: number;
  metadataBytes: number;
  /** Bytes held outside the space in JavaScript objects (AllocatorStats.externalBytes). Absent: 0. */
  externalBytes?: number;
  /** AllocatorStats.diagnostics. Absent: none. */
  diagnostics?: string[];
}

const C_MALLOC = 0;
const C_CALLOC = 1;
const C_REALLOC = 2;
const C_MEMALIGN = 3;
const C_FREE = 4;
const C_FAIL = 5;
const ALIGN = MIN_ALIGN;
/** Addresses reach 2^47 (the largest space); one past a smaller space's end is refused by `outside`. */
const ADDRESS_LIMIT = 2 ** 47;

export abstract class AllocatorBase implements Allocator {
  readonly identity: Identity;
  /** This allocator's index in the space's owner table: pass `identity` to mmap/sbrk. */
  readonly ownerIndex: number;
  protected readonly counts = new Float64Array(6);
  /** `identity.label`, made once: the identity's getter builds a string, too dear per call. */
  protected readonly label: string;

  constructor(
    readonly space: AddressSpace,
    identity: IdentityInit | Identity,
  ) {
    this.identity = 'id' in identity ? identity : createIdentity(identity);
    this.label = this.identity.label;
    this.ownerIndex = space.registerOwner(this.identity, this);
  }

  // ---------------------------------------------------------------- primitives

  /** A block of ≥ size bytes aligned to `align` (≥ 16, a power of two), or 0 when out of memory. size ≤ space.size. */
  protected abstract allocate(size: number, align: number): number;
  /** Frees the block at ptr (≠ 0). Throws double-free / invalid-free / size-mismatch / … before changing anything. */
  protected abstract release(ptr: number, size: number | undefined): void;
  /** Usable size of the live block starting at ptr; throws invalid-free when ptr is not one. */
  protected abstract usable(ptr: number): number;
  /** The live block containing addr, or null. */
  abstract blockAt(addr: number): BlockInfo | null;
  /** Live blocks, bytes and metadata. */
  protected abstract figures(): HeapFigures;
  /** Walks every structure; throws HeapCorruption. */
  abstract check(): void;

  /**
   * Throws exactly what `release(ptr, undefined)` would throw for ptr (double-free, invalid-free,
   * canary-corrupted, a damaged header, …) and changes nothing; returns the block's usable size.
   * realloc calls it before anything else, so its misuse is raised before the heap changes. The
   * default is `usable(ptr)` (the block is live): override it when release checks more (canaries,
   * headers), and have release call it, so the two cannot drift apart.
   */
  protected validateRelease(ptr: number): number {
    return this.usable(ptr);
  }

  /**
   * The freed block containing addr, when the allocator can tell (a free or quarantined slot, a
   * free chunk), else null: objectSize then raises `use-after-free` instead of `invalid-free`.
   * The default tells nothing. Called only for addresses `blockAt` found in no live block.
   */
  protected freedBlockAt(_addr: number): BlockInfo | null {
    return null;
  }

  /**
   * Resizes in place when possible: returns ptr when the block now holds `size` bytes, 0 when it
   * cannot (the caller then moves it). The default never resizes in place.
   */
  protected resizeInPlace(_ptr: number, _size: number): number {
    return 0;
  }

  /** A zeroed block; the default allocates and clears. Override when fresh memory is known zero. */
  protected allocateZeroed(size: number): number {
    const p = this.allocate(size, ALIGN);
    if (p !== 0 && size > 0) this.space.raw.fill(p, size, 0);
    return p;
  }

  // ---------------------------------------------------------------- the contract

  malloc(size: number): number {
    // checkSize's condition, inline; checkSize itself only to throw its error.
    if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) checkSize(size, 'size', this.label);
    this.counts[C_MALLOC]!++;
    const p = size <= this.space.size ? this.allocate(size, ALIGN) : 0;
    if (p === 0) this.counts[C_FAIL]!++;
    return p;
  }

  free(ptr: number, size?: number): void {
    // checkPointer's condition, inline; checkPointer itself only to throw its error.
    if (typeof ptr !== 'number' || !Number.isInteger(ptr) || ptr < 0 || ptr >= ADDRESS_LIMIT) checkPointer(ptr, this.label);
    if (size !== undefined) checkSize(size, 'size', this.label);
    if (ptr === 0) return;
    if (ptr >= this.space.size) this.outside(ptr, 'free');
    this.release(ptr, size);
    this.counts[C_FREE]!++;
  }

  calloc(n: number, size: number): number {
    checkSize(n, 'n', this.label);
    checkSize(size, 'size', this.label);
    this.counts[C_CALLOC]!++;
    const total = n * size;
    const p = Number.isSafeInteger(total) && total <= this.space.size ? this.allocateZeroed(total) : 0;
    if (p === 0) this.counts[C_FAIL]!++;
    return p;
  }

  realloc(ptr: number, size: number): number {
    checkPointer(ptr, this.label);
    checkSize(size, 'size', this.label);
    if (ptr === 0) return this.malloc(size);
    if (ptr >= this.space.size) this.outside(ptr, 'realloc');
    this.counts[C_REALLOC]!++;
    if (size === 0) {
      this.release(ptr, undefined);
      return 0;
    }
    const old = this.validateRelease(ptr); // every check free makes, before anything changes
    if (size > this.space.size) {
      this.counts[C_FAIL]!++;
      return 0;
    }
    const inPlace = this.resizeInPlace(ptr, size);
    if (inPlace !== 0) return inPlace;
    const q = this.allocate(size, ALIGN);
    if (q === 0) {
      this.counts[C_FAIL]!++;
      return 0;
    }
    const n = Math.min(old, size);
    if (n > 0) this.space.raw.copy(q, ptr, n);
    this.release(ptr, undefined);
    return q;
  }

  memalign(alignment: number, size: number): number {
    checkAlignment(alignment, this.label);
    checkSize(size, 'size', this.label);
    this.counts[C_MEMALIGN]!++;
    const p = size <= this.space.size ? this.allocate(size, Math.max(ALIGN, alignment)) : 0;
    if (p === 0) this.counts[C_FAIL]!++;
    return p;
  }

  usableSize(ptr: number): number {
    checkPointer(ptr, this.label);
    if (ptr >= this.space.size) this.outside(ptr, 'usableSize');
    return ptr === 0 ? 0 : this.usable(ptr);
  }

  objectSize(ptr: number): number {
    checkPointer(ptr, this.label);
    if (ptr === 0) return 0;
    const b = this.blockAt(ptr);
    if (b !== null) return b.base + b.size - ptr;
    const f = this.freedBlockAt(ptr);
    if (f !== null) this.misuse('use-after-free', `objectSize(${hex(ptr)}): ${ptr - f.base} bytes into the freed block ${hex(f.base)} (${f.size} bytes)`, ptr);
    this.misuse('invalid-free', `objectSize(${hex(ptr)}): not inside a live block of this allocator`, ptr);
  }

  owns(addr: number): boolean {
    return this.space.ownerIndexAt(addr) === this.ownerIndex;
  }

  stats(): AllocatorStats {
    const c = this.counts;
    const calls: CallCounts = { malloc: c[C_MALLOC]!, calloc: c[C_CALLOC]!, realloc: c[C_REALLOC]!, memalign: c[C_MEMALIGN]!, free: c[C_FREE]! };
    const f = this.figures();
    return { ...f, externalBytes: f.externalBytes ?? 0, calls, failures: c[C_FAIL]! };
  }

  /** A pointer past the end of the space: no block can be there. */
  private outside(ptr: number, what: string): never {
    this.misuse('invalid-free', `${what} of ${hex(ptr)}, past the end of the ${this.space.size}-byte space`, ptr);
  }

  /** Throws AllocatorError with this allocator's label. */
  protected misuse(code: AllocatorError['code'], message: string, address?: number): never {
    throw new AllocatorError(code, message, this.label, address);
  }
}
