/*
 * The misuse catalogue: small programs that each commit one misuse, named after hardened_malloc's
 * test cases (`<misuse>-<small|large>[-variant]`). The program side touches memory only through
 * the space's checked access, so a guard page or an inaccessible slot shows as a SegmentationFault.
 *
 * runMisuseCase gives the outcome: detected with an AllocatorError code, detected as a
 * segmentation fault, or not detected — and then whether check() found the heap corrupted.
 * Each case also records what hardened_malloc (default configuration) does, for the misuse matrix.
 */

import type { Allocator } from '../api.js';
import type { MisuseCode } from '../errors.js';
import { AllocatorError, HeapCorruption, HeaplabError, SegmentationFault } from '../errors.js';
import { createIdentity } from '../identity.js';
import { createAddressSpace, type AddressSpace } from '../space/address-space.js';

/** How a misuse shows when caught. */
export type Detection = MisuseCode | 'segfault';

export interface MisuseCase {
  /** `<misuse>-<small|large>[-variant]`. */
  name: string;
  /** What the program does wrong. */
  misuse: string;
  /** What an allocator that catches it reports. */
  detection: Detection;
  /** hardened_malloc's own result for the same program (its test suite, default configuration). */
  hardenedMalloc: string;
  /** The program. Returns normally when nothing was detected. */
  run(a: Allocator, space: AddressSpace): void;
}

/** What happened when a case ran. */
export type MisuseOutcome =
  | { detected: true; code: Detection; message: string }
  | { detected: false; corrupted: string | null; crashed: string | null };

const SMALL = 32;
const LARGE = 256 * 1024;

/**
 * Runs `call`, a call that commits the misuse, and rethrows what it raised only if the allocator's
 * figures (live blocks and bytes) and the space's (mapped and committed bytes) are as before: a
 * misuse detected after the heap changed (a block allocated, a mapping made) is not a detection,
 * and the case then fails with the change.
 */
function unchangedOnMisuse(a: Allocator, space: AddressSpace, call: () => unknown): void {
  const figures = (): string => {
    const s = a.stats();
    const m = space.stats();
    return `live blocks ${s.liveBlocks}, live bytes ${s.liveBytes}, usable bytes ${s.usableBytes}, mapped ${m.mapped}, committed ${m.committed}`;
  };
  const before = figures();
  try {
    call();
  } catch (e) {
    const after = figures();
    if (after !== before) throw new Error(`detected only after changing the heap: ${before} → ${after}`);
    throw e;
  }
}

function useAll(a: Allocator, n: number, size: number): number[] {
  const out: number[] = [];
  for (let k = 0; k < n; k++) out.push(a.malloc(size));
  return out;
}

/** Every case, in the order of the misuse matrix. Overflow cases allocate neighbours first, so the
 * victim does not sit at the edge of the space where any overflow would fault. */
export const MISUSE_CASES: readonly MisuseCase[] = [
  {
    name: 'double-free-small', misuse: 'free a small block twice', detection: 'double-free',
    hardenedMalloc: 'detected: double free',
    run(a) { const p = a.malloc(SMALL); a.free(p); a.free(p); },
  },
  {
    name: 'double-free-large', misuse: 'free a large block twice', detection: 'double-free',
    hardenedMalloc: 'detected: invalid free (region gone)',
    run(a) { const p = a.malloc(LARGE); a.free(p); a.free(p); },
  },
  {
    name: 'double-free-small-delayed', misuse: 'free a small block, free another, free the first again', detection: 'double-free',
    hardenedMalloc: 'detected: double free (quarantine)',
    run(a) { const p = a.malloc(SMALL); const q = a.malloc(SMALL); a.free(p); a.free(q); a.free(p); },
  },
  {
    name: 'invalid-free-interior', misuse: 'free a pointer 16 bytes into a live block', detection: 'invalid-free',
    hardenedMalloc: 'detected: invalid free',
    run(a) { const p = a.malloc(64); a.free(p + 16); },
  },
  {
    name: 'invalid-free-unaligned', misuse: 'free a pointer one byte into a live block', detection: 'invalid-free',
    hardenedMalloc: 'detected: invalid unaligned free',
    run(a) { const p = a.malloc(64); a.free(p + 1); },
  },
  {
    name: 'invalid-free-foreign', misuse: 'free memory that another owner mapped', detection: 'invalid-free',
    hardenedMalloc: 'detected: invalid free',
    run(a, space) {
      const other = createIdentity({ name: 'foreign', family: 'program', description: 'a mapping the program made itself' });
      const q = space.mmap(0, 4 * space.pageSize, 3, 0, other);
      a.free(q + 16);
    },
  },
  {
    name: 'invalid-free-never-allocated', misuse: 'free an address near a live block that malloc never returned', detection: 'invalid-free',
    hardenedMalloc: 'detected: invalid free',
    run(a) { const p = a.malloc(SMALL); a.free(p + 4096 + 48); },
  },
  {
    name: 'overflow-small-1-byte', misuse: 'write one byte past the usable end of a small block, then free it', detection: 'canary-corrupted',
    hardenedMalloc: 'detected: canary corrupted',
    run(a, space) { useAll(a, 4, SMALL - 8); const p = a.malloc(SMALL - 8); useAll(a, 4, SMALL - 8); space.store8(p + a.usableSize(p), 0x41); a.free(p); },
  },
  {
    name: 'overflow-small-8-byte', misuse: 'write eight bytes past the usable end of a small block, then free it', detection: 'canary-corrupted',
    hardenedMalloc: 'detected: canary corrupted',
    run(a, space) { useAll(a, 4, SMALL - 8); const p = a.malloc(SMALL - 8); useAll(a, 4, SMALL - 8); space.fill(p + a.usableSize(p), 0x41, 8); a.free(p); },
  },
  {
    name: 'overflow-small-1-byte-realloc', misuse: 'write one byte past the usable end of a small block, then realloc it to 200 bytes (detected only if nothing changed first)', detection: 'canary-corrupted',
    hardenedMalloc: 'detected: canary corrupted (when realloc frees the old slot; the process aborts)',
    run(a, space) {
      useAll(a, 4, SMALL - 8);
      const p = a.malloc(SMALL - 8);
      useAll(a, 4, SMALL - 8);
      space.store8(p + a.usableSize(p), 0x41);
      unchangedOnMisuse(a, space, () => a.realloc(p, 200));
    },
  },
  {
    name: 'overflow-large', misuse: 'write one byte past the usable end of a large block', detection: 'segfault',
    hardenedMalloc: 'detected: segmentation fault (guard page)',
    run(a, space) { useAll(a, 2, LARGE); const p = a.malloc(LARGE); useAll(a, 2, LARGE); space.store8(p + a.usableSize(p), 0x41); a.free(p); },
  },
  {
    name: 'read-after-free-large', misuse: 'read a large block after freeing it', detection: 'segfault',
    hardenedMalloc: 'detected: segmentation fault',
    run(a, space) { const p = a.malloc(LARGE); space.store8(p, 1); a.free(p); space.load8(p); },
  },
  {
    name: 'write-after-free-large', misuse: 'write a large block after freeing it', detection: 'segfault',
    hardenedMalloc: 'detected: segmentation fault',
    run(a, space) { const p = a.malloc(LARGE); a.free(p); space.store8(p, 1); },
  },
  {
    name: 'write-after-free-small', misuse: 'write into a freed small block, then allocate that size until it is reused', detection: 'write-after-free',
    hardenedMalloc: 'detected: detected write after free (on reuse)',
    run(a, space) {
      const p = a.malloc(SMALL);
      a.free(p);
      space.store8(p + SMALL / 2, 0x41);
      useAll(a, 4096, SMALL);
    },
  },
  {
    name: 'access-size-0', misuse: 'read the block malloc(0) returned', detection: 'segfault',
    hardenedMalloc: 'detected: segmentation fault (size-0 class is never accessible)',
    run(a, space) { const p = a.malloc(0); space.load8(p); },
  },
  {
    name: 'size-mismatch-small', misuse: 'free_sized with a size far from the requested one', detection: 'size-mismatch',
    hardenedMalloc: 'detected: sized deallocation mismatch',
    run(a) { const p = a.malloc(SMALL); a.free(p, 4096); },
  },
];

/**
 * instanceof, also across two copies of core (a test importing core's sources while the
 * allocator imports its build): same class name and the error's own fields.
 */
function is<T extends Error>(e: unknown, cls: abstract new (...args: never[]) => T): e is T {
  if (e instanceof cls) return true;
  if (!(e instanceof Error)) return false;
  for (let proto = Object.getPrototypeOf(e); proto; proto = Object.getPrototypeOf(proto)) {
    if (proto.constructor?.name === cls.name) return true;
  }
  return false;
}

/** Runs one case on a fresh allocator over a fresh space and says what happened. */
export function runMisuseCase(c: MisuseCase, factory: (space: AddressSpace) => Allocator, spaceSize = 64 * 2 ** 20): MisuseOutcome {
  const space = createAddressSpace({ size: spaceSize });
  const a = factory(space);
  try {
    c.run(a, space);
  } catch (e) {
    if (is(e, AllocatorError)) return { detected: true, code: e.code, message: e.message };
    if (is(e, SegmentationFault)) return { detected: true, code: 'segfault', message: e.message };
    return { detected: false, corrupted: null, crashed: is(e, HeaplabError) ? e.message : `${(e as Error).name}: ${(e as Error).message}` };
  }
  try {
    a.check();
  } catch (e) {
    if (is(e, HeapCorruption)) return { detected: false, corrupted: e.message, crashed: null };
    return { detected: false, corrupted: null, crashed: String(e) };
  }
  return { detected: false, corrupted: null, crashed: null };
}

/** Looks a case up by name; throws listing the names when unknown. */
export function misuseCase(name: string): MisuseCase {
  const c = MISUSE_CASES.find((x) => x.name === name);
  if (!c) throw new RangeError(`unknown misuse case "${name}"; cases: ${MISUSE_CASES.map((x) => x.name).join(', ')}`);
  return c;
}

/**
 * The misuse code a call raises (its AllocatorError's code), or `'nothing'` when it returns: for
 * tests that assert which misuse an allocator names. Any other error is thrown on.
 */
export function raisedCode(f: () => unknown): MisuseCode | 'nothing' {
  try {
    f();
  } catch (e) {
    if (is(e, AllocatorError)) return e.code;
    throw e;
  }
  return 'nothing';
}
