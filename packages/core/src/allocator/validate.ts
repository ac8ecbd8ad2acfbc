/*
 * Argument checks shared by every allocator: what is a size, what is an alignment, and the
 * arithmetic on them. Sizes are integers 0 … 2^53 − 1; anything else is `bad-size`. An alignment
 * is a power of two ≥ 1; anything else is `bad-alignment`. Pointers are integers 0 … 2^32 − 1.
 */

import { AllocatorError, hex } from '../errors.js';

/** Minimum alignment of every block. */
export const MIN_ALIGN = 16;

/** Throws `bad-size` unless `size` is a non-negative safe integer. */
export function checkSize(size: unknown, what = 'size', allocator?: string): asserts size is number {
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) {
    throw new AllocatorError('bad-size', `${what} must be a non-negative integer, got ${String(size)}`, allocator);
  }
}

/** Throws `bad-alignment` unless `alignment` is a power of two. */
export function checkAlignment(alignment: unknown, allocator?: string): asserts alignment is number {
  if (typeof alignment !== 'number' || !Number.isSafeInteger(alignment) || alignment < 1 || alignment > 2 ** 31 || (alignment & (alignment - 1)) !== 0) {
    throw new AllocatorError('bad-alignment', `alignment must be a power of two up to 2^31, got ${String(alignment)}`, allocator);
  }
}

/** Throws `invalid-free` unless `ptr` is an integer address (0 allowed). */
export function checkPointer(ptr: unknown, allocator?: string): asserts ptr is number {
  if (typeof ptr !== 'number' || !Number.isInteger(ptr) || ptr < 0 || ptr >= 2 ** 47) {
    throw new AllocatorError('invalid-free', `pointer must be an integer address 0 … 2^47 − 1, got ${String(ptr)}`, allocator);
  }
}

/** Rounds n up to a multiple of a (a power of two, n < 2^32 + a). */
export function alignUp(n: number, a: number): number {
  return Math.ceil(n / a) * a;
}

/** True when ptr is a multiple of a (a power of two). */
export function isAligned(ptr: number, a: number): boolean {
  return ptr % a === 0;
}

/** Formats a pointer for messages. */
export function ptrString(ptr: number): string {
  return hex(ptr);
}
