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
 */

/** errno-like codes of the simulated kernel. */
export type KernelErrno = 'ENOMEM' | 'EINVAL' | 'EEXIST';

/** Base of every heaplab error, so `instanceof HeaplabError` catches them all. */
export class HeaplabError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

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

/**
 * The closed set of codes for bad arguments and detected misuse (BRIEF §4).
 * - `double-free`: the block was already freed.
 * - `invalid-free`: the pointer is not the start of a live block of this allocator.
 * - `write-after-free`: a freed block was written before it was handed out again.
 * - `canary-corrupted`: the bytes after a block's end were overwritten (overflow).
 * - `size-mismatch`: a sized free gave a size that is not the block's.
 * - `bad-size`: a size that is not a size at all (negative, fractional, NaN, not a number).
 * - `bad-alignment`: an alignment that is not a power of two.
 */
export type MisuseCode =
  | 'double-free'
  | 'invalid-free'
  | 'write-after-free'
  | 'canary-corrupted'
  | 'size-mismatch'
  | 'bad-size'
  | 'bad-alignment';

/** Every misuse code, for iteration and validation. */
export const MISUSE_CODES: readonly MisuseCode[] = [
  'double-free',
  'invalid-free',
  'write-after-free',
  'canary-corrupted',
  'size-mismatch',
  'bad-size',
  'bad-alignment',
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

/** `check()` found an inconsistent structure. */
export class HeapCorruption extends HeaplabError {
  constructor(
    readonly allocator: string,
    readonly what: string,
  ) {
    super(`heap corruption in ${allocator}: ${what}`);
  }
}

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

/** Hex form used in every message: `0x` and lower case. */
export function hex(n: number): string {
  return '0x' + n.toString(16);
}
