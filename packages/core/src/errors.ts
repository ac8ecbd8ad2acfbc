/*
 * Errors of heaplab, one class per family, each with a closed code.
 *
 * - KernelError: a call on the address space failed the way the Linux kernel would fail it
 *   (errno-like code: ENOMEM, EINVAL, EEXIST).
 * - SegmentationFault: a checked load or store touched an unmapped page or one whose protection
 *   forbids the access. Carries the address, the access kind and the mapping (or "unmapped").
 * - AllocatorError: bad arguments or misuse an allocator detected, with a closed MisuseCode.
 *   It is always thrown before the allocator changes any state.
 * - HeapCorruption: `check()` found an inconsistent structure; names what is wrong.
 * - ConfigError: bad configuration, naming the key, its source and what was expected.
 *
 * Brands: a program can hold two copies of this module (a user's allocator loaded through a
 * second module loader imports its own @heaplab/core). Each class is branded with a global
 * symbol, `Symbol.for('@heaplab/core:error:<Class>')`, set on its prototype, and
 * `Symbol.hasInstance` accepts an object carrying the class's brand, so `e instanceof
 * AllocatorError` holds whichever copy made `e`. A subclass that is not branded (a user's own
 * error) keeps the ordinary prototype check.
 */

/** errno-like codes of the simulated kernel. */
export type KernelErrno = 'ENOMEM' | 'EINVAL' | 'EEXIST';

const BRAND = Symbol.for('@heaplab/core:error-brand');

/**
 * Brands an error class: instances carry `Symbol.for('@heaplab/core:error:<name>')` through the
 * prototype, and `instanceof cls` recognises them whichever copy of core defined the class.
 */
export function brandError(cls: abstract new (...args: never[]) => Error, name: string): void {
  const key = Symbol.for(`@heaplab/core:error:${name}`);
  Object.defineProperty(cls, BRAND, { value: key });
  Object.defineProperty(cls.prototype, key, { value: true });
}

/** Base of every heaplab error, so `instanceof HeaplabError` catches them all (across copies of core too). */
export class HeaplabError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }

  /** The prototype check, or the class's brand on the value (see the top of this file). */
  static override [Symbol.hasInstance](value: unknown): boolean {
    if (Function.prototype[Symbol.hasInstance].call(this, value)) return true;
    const key = Object.prototype.hasOwnProperty.call(this, BRAND) ? (this as unknown as Record<symbol, symbol>)[BRAND]! : null;
    return key !== null && typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[key] === true;
  }
}
brandError(HeaplabError, 'HeaplabError');

/** A system call on the address space failed; `code` is the errno the kernel would give. */
export class KernelError extends HeaplabError {
  constructor(
    readonly code: KernelErrno,
    readonly call: string,
    detail: string,
  ) {
    super(`${call}: ${code}: ${detail}`);
  }
}
brandError(KernelError, 'KernelError');

/** A checked access faulted. `mapping` is the `maps()` line of the page hit, or "unmapped". */
export class SegmentationFault extends HeaplabError {
  constructor(
    readonly address: number,
    readonly access: 'read' | 'write',
    readonly mapping: string,
  ) {
    super(`segmentation fault: ${access} at 0x${address.toString(16)} (${mapping})`);
  }
}
brandError(SegmentationFault, 'SegmentationFault');

/**
 * The closed set of codes for bad arguments and detected misuse.
 * - `double-free`: the block was already freed.
 * - `invalid-free`: the pointer is not the start of a live block of this allocator.
 * - `write-after-free`: a freed block was written before it was handed out again.
 * - `canary-corrupted`: the bytes after a block's end were overwritten (overflow).
 * - `size-mismatch`: a sized free gave a size that is not the block's.
 * - `use-after-free`: a freed block was used through the allocator (a query such as `objectSize`
 *   on memory the allocator knows is free; freeing it again is `double-free`).
 * - `bad-size`: a size that is not a size at all (negative, fractional, NaN, not a number).
 * - `bad-alignment`: an alignment that is not a power of two.
 * - `corrupted-link`: a free-list link read back from a freed block is not a block the list can
 *   hold (misaligned, out of range, or not pointing back): the block was written after it was
 *   freed (free-list poisoning, an unlink of a forged chunk). Raised by safe-linking.
 */
export type MisuseCode =
  | 'double-free'
  | 'invalid-free'
  | 'write-after-free'
  | 'canary-corrupted'
  | 'size-mismatch'
  | 'use-after-free'
  | 'bad-size'
  | 'bad-alignment'
  | 'corrupted-link';

/** Every misuse code, for iteration and validation. */
export const MISUSE_CODES: readonly MisuseCode[] = [
  'double-free',
  'invalid-free',
  'write-after-free',
  'canary-corrupted',
  'size-mismatch',
  'use-after-free',
  'bad-size',
  'bad-alignment',
  'corrupted-link',
];

/** Bad arguments or detected misuse. Thrown before any allocator state changes. */
export class AllocatorError extends HeaplabError {
  constructor(
    readonly code: MisuseCode,
    message: string,
    /** Name of the allocator that detected it (its identity label), when known. */
    readonly allocator?: string,
    /** The pointer or address involved, when there is one. */
    readonly address?: number,
  ) {
    super(`${code}: ${message}${allocator ? ` [${allocator}]` : ''}`);
  }
}
brandError(AllocatorError, 'AllocatorError');

/** `check()` found an inconsistent structure. */
export class HeapCorruption extends HeaplabError {
  constructor(
    readonly allocator: string,
    readonly what: string,
  ) {
    super(`heap corruption in ${allocator}: ${what}`);
  }
}
brandError(HeapCorruption, 'HeapCorruption');

/** Bad configuration: names the key, where its value came from and what was expected. */
export class ConfigError extends HeaplabError {
  constructor(
    readonly key: string,
    readonly source: string,
    readonly expected: string,
  ) {
    super(`${source}: ${key}: expected ${expected}`);
  }
}
brandError(ConfigError, 'ConfigError');

/** Hex form used in every message: `0x` and lower case. */
export function hex(n: number): string {
  return '0x' + n.toString(16);
}
