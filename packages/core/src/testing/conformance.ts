/*
 * runConformance(factory): the suite every allocator passes.
 *
 * Two halves:
 *   - named example checks of the contract's edges (malloc(0), free(NULL), realloc edges,
 *     too-large and overflowing requests, bad sizes and alignments, out of memory and recovery,
 *     and recovery.ts's "fill, free everything, ask again" with requests of other sizes);
 *   - a fast-check property: random sequences of malloc, calloc, realloc, memalign, free, sized
 *     free, write and read, run against a Model, with every invariant verified after every step.
 *
 * Each run gets a fresh space (`spaceSize`, default 64 MiB). On failure the error names the seed,
 * the path and the shrunk sequence, and how to replay it (HEAPLAB_FUZZ__SEED).
 */

import fc from 'fast-check';
import type { Allocator } from '../api.js';
import type { AddressSpace } from '../space/address-space.js';
import { AllocatorError } from '../errors.js';
import { createAddressSpace } from '../space/address-space.js';
import { fuzzRuns, fuzzSeed } from './fuzz-config.js';
import { Model, fillPattern, findBrokenByte, formatOp, verify, type LiveBlock, type Op } from './model.js';
import { DEFAULT_RECOVERY, recoveryCheckName, runRecoveryCheck, type OomRecovery, type RecoveryOptions } from './recovery.js';

/** Options of the conformance suite. */
export interface ConformanceOptions {
  /** Name shown in messages. Default: the identity name of the first allocator made. */
  name?: string;
  /** fast-check runs. Default: fuzzRuns() (HEAPLAB_FUZZ__RUNS, fuzz.runs, else 1,000). */
  runs?: number;
  /** Seed. Default: fuzzSeed() (HEAPLAB_FUZZ__SEED, fuzz.seed, else 1). */
  seed?: number;
  /** Size of each run's space. Default 64 MiB. */
  spaceSize?: number;
  /** Size of the space of the out-of-memory check. Default 8 MiB. */
  oomSpaceSize?: number;
  /**
   * What the allocator promises once it ran out of memory and every block was freed — the check
   * "fill, free everything, ask again" (recovery.ts):
   * - `'any-size'`: requests of other sizes than the one that filled the space succeed again
   *   (`recoveryRequests`), as glibc's does after it consolidates: memory carved for one size
   *   serves another.
   * - `'same-size'`: only a request of the size that filled the space must succeed again. For
   *   designs whose memory, once carved for one size class, never serves another (Felker's
   *   bump-freestack with `reclaimOnOom: false`); the check's name then says so.
   * Default `'any-size'`.
   */
  oomRecovery?: OomRecovery;
  /** Size of the space of the recovery check. Default 64 MiB (zoned-classes, whose zones share the space, cannot map 8 MiB in 32). */
  recoverySpaceSize?: number;
  /** Requests of other sizes the recovery check asks after each fill and free. Default 200 KiB and 8 MiB. */
  recoveryRequests?: readonly number[];
  /** Sizes the recovery check fills the space with, each freed in allocation order and in reverse. Default 3,000 and 400 bytes. */
  recoveryFills?: readonly number[];
  /** Longest sequence. Default 60. */
  maxOps?: number;
  /** Largest request. Default 200,000 bytes (past a 128 KiB mmap threshold). */
  maxSize?: number;
  /** Largest memalign alignment, log2. Default 16 (64 KiB). */
  maxAlignLog2?: number;
  /** Call check() after every step. Default true. */
  checkEveryStep?: boolean;
  /** Backing of the spaces. Default 'array'. */
  backing?: 'array' | 'shared' | 'wasm';
}

/** Makes an allocator over a space: what the kit is given. */
export type ConformanceFactory = (space: AddressSpace) => Allocator;

/** One named check of the suite. */
export interface ConformanceCheck {
  name: string;
  run(): void;
}

function sizeArb(max: number): fc.Arbitrary<number> {
  return fc.oneof(
    { weight: 70, arbitrary: fc.integer({ min: 0, max: 128 }) },
    { weight: 25, arbitrary: fc.integer({ min: 129, max: Math.min(4096, max) }) },
    { weight: 5, arbitrary: fc.integer({ min: Math.min(4097, max), max }) },
  );
}

/** The arbitrary of one op. */
export function opArbitrary(maxSize: number, maxAlignLog2: number): fc.Arbitrary<Op> {
  const size = sizeArb(maxSize);
  const i = fc.nat({ max: 1000 });
  return fc.oneof(
    { weight: 30, arbitrary: fc.record({ op: fc.constant('malloc' as const), size }) },
    { weight: 5, arbitrary: fc.record({ op: fc.constant('calloc' as const), n: fc.integer({ min: 0, max: 16 }), size: fc.integer({ min: 0, max: 256 }) }) },
    { weight: 10, arbitrary: fc.record({ op: fc.constant('realloc' as const), i, size }) },
    { weight: 5, arbitrary: fc.record({ op: fc.constant('memalign' as const), alignLog2: fc.integer({ min: 0, max: maxAlignLog2 }), size: fc.integer({ min: 0, max: 2048 }) }) },
    { weight: 20, arbitrary: fc.record({ op: fc.constant('free' as const), i }) },
    { weight: 8, arbitrary: fc.record({ op: fc.constant('sizedFree' as const), i }) },
    { weight: 7, arbitrary: fc.record({ op: fc.constant('write' as const), i }) },
    { weight: 5, arbitrary: fc.record({ op: fc.constant('read' as const), i }) },
  );
}

/** Applies one op to the allocator and the model. Throws ConformanceViolation on a wrong answer. */
export function applyOp(a: Allocator, m: Model, o: Op): void {
  const mem = a.space.raw;
  const add = (ptr: number, size: number, align: number): void => {
    if (ptr === 0) return; // out of memory is allowed; the heap must stay usable
    const b: LiveBlock = { ptr, size, align, tag: m.tag() };
    fillPattern(mem, b);
    m.blocks.push(b);
  };
  switch (o.op) {
    case 'malloc':
      add(a.malloc(o.size), o.size, 16);
      return;
    case 'calloc': {
      const p = a.calloc(o.n, o.size);
      const total = o.n * o.size;
      if (p !== 0) {
        for (let k = 0; k < total; k++) if (mem.u8(p + k) !== 0) throw new Error(`calloc(${o.n}, ${o.size}) gave ${p.toString(16)} whose byte ${k} is ${mem.u8(p + k)}, not 0`);
      }
      add(p, total, 16);
      return;
    }
    case 'memalign': {
      const align = 2 ** o.alignLog2;
      add(a.memalign(align, o.size), o.size, Math.max(16, align));
      return;
    }
    case 'realloc': {
      const b = m.pick(o.i);
      if (!b) return add(a.realloc(0, o.size), o.size, 16);
      const p = a.realloc(b.ptr, o.size);
      if (o.size === 0) {
        if (p !== 0) throw new Error(`realloc(p, 0) returned ${p.toString(16)}, not 0`);
        m.remove(b);
        return;
      }
      if (p === 0) return; // failed: the old block must be intact, verify() sees it
      const keep = Math.min(b.size, o.size);
      const moved: LiveBlock = { ...b, ptr: p };
      const broken = findBrokenByte(mem, moved, keep);
      if (broken >= 0) throw new Error(`realloc(${b.ptr.toString(16)}, ${o.size}) → ${p.toString(16)} lost byte ${broken} of the prefix`);
      m.remove(b);
      add(p, o.size, 16);
      return;
    }
    case 'free':
    case 'sizedFree': {
      const b = m.pick(o.i);
      if (!b) {
        a.free(0);
        return;
      }
      if (o.op === 'free') a.free(b.ptr);
      else a.free(b.ptr, b.size);
      m.remove(b);
      if (!m.blocks.some((x) => x.ptr <= b.ptr && b.ptr < x.ptr + Math.max(1, x.size))) {
        const info = a.blockAt(b.ptr);
        if (info) throw new Error(`blockAt(${b.ptr.toString(16)}) right after its free gave ${JSON.stringify(info)}, expected null`);
      }
      return;
    }
    case 'write': {
      const b = m.pick(o.i);
      if (b) {
        b.tag = m.tag();
        fillPattern(mem, b);
      }
      return;
    }
    case 'read':
      return; // verify() reads every block after every step
  }
}

function expectCode(code: AllocatorError['code'], f: () => unknown, what: string): void {
  try {
    f();
  } catch (e) {
    if (e instanceof AllocatorError && e.code === code) return;
    throw new Error(`${what}: expected AllocatorError ${code}, got ${String(e)}`);
  }
  throw new Error(`${what}: expected AllocatorError ${code}, nothing was thrown`);
}

function assert(ok: unknown, message: string): asserts ok {
  if (!ok) throw new Error(message);
}

/** The suite's checks, to register one by one with a test runner. */
export function conformanceChecks(factory: ConformanceFactory, options: ConformanceOptions = {}): ConformanceCheck[] {
  const spaceSize = options.spaceSize ?? 64 * 2 ** 20;
  const backing = options.backing ?? 'array';
  const make = (size = spaceSize): Allocator => factory(createAddressSpace({ size, backing }));
  const checkEvery = options.checkEveryStep ?? true;
  const named = (name: string, run: () => void): ConformanceCheck => ({ name, run });
  const recovery: RecoveryOptions = {
    oomRecovery: options.oomRecovery ?? DEFAULT_RECOVERY.oomRecovery,
    spaceSize: options.recoverySpaceSize ?? DEFAULT_RECOVERY.spaceSize,
    requests: options.recoveryRequests ?? DEFAULT_RECOVERY.requests,
    fills: options.recoveryFills ?? DEFAULT_RECOVERY.fills,
  };
  if (recovery.oomRecovery !== 'any-size' && recovery.oomRecovery !== 'same-size') {
    throw new TypeError(`conformanceChecks: oomRecovery must be 'any-size' or 'same-size', not ${JSON.stringify(recovery.oomRecovery)}`);
  }
  const sizeOk = (n: unknown): boolean => Number.isSafeInteger(n) && (n as number) > 0;
  if (!sizeOk(recovery.spaceSize)) throw new TypeError(`conformanceChecks: recoverySpaceSize must be a positive integer, not ${String(recovery.spaceSize)}`);
  for (const [key, list] of [['recoveryRequests', recovery.requests], ['recoveryFills', recovery.fills]] as const) {
    if (!Array.isArray(list) || list.length === 0 || !list.every(sizeOk)) throw new TypeError(`conformanceChecks: ${key} must be a non-empty array of positive integers, not ${JSON.stringify(list)}`);
  }

  return [
    named('malloc(0) returns unique non-NULL pointers that can be freed', () => {
      const a = make();
      const p = a.malloc(0);
      const q = a.malloc(0);
      assert(p !== 0 && q !== 0 && p !== q, `malloc(0) gave ${p} and ${q}`);
      assert(a.usableSize(p) >= 0, 'usableSize of a malloc(0) block');
      a.free(p);
      a.free(q);
      a.check();
    }),
    named('free(NULL) does nothing', () => {
      const a = make();
      a.free(0);
      a.free(0, 0);
      assert(a.stats().liveBlocks === 0, 'free(0) changed liveBlocks');
      a.check();
    }),
    named('realloc(NULL, n) is malloc(n) and realloc(p, 0) frees p and returns NULL', () => {
      const a = make();
      const p = a.realloc(0, 100);
      assert(p !== 0 && a.usableSize(p) >= 100, 'realloc(0, 100) did not allocate');
      assert(a.realloc(p, 0) === 0, 'realloc(p, 0) did not return 0');
      assert(a.stats().liveBlocks === 0, 'realloc(p, 0) did not free p');
      a.check();
    }),
    named('requests larger than the space and overflowing calloc return NULL', () => {
      const a = make();
      assert(a.malloc(a.space.size + 1) === 0, 'malloc(space + 1) did not return 0');
      assert(a.malloc(2 ** 52) === 0, 'malloc(2^52) did not return 0');
      assert(a.calloc(2 ** 30, 2 ** 30) === 0, 'calloc(2^30, 2^30) did not return 0');
      assert(a.calloc(2 ** 40, 2 ** 40) === 0, 'calloc whose product overflows 2^53 did not return 0');
      assert(a.memalign(16, a.space.size + 1) === 0, 'memalign(16, space + 1) did not return 0');
      const p = a.malloc(64);
      assert(a.realloc(p, a.space.size + 1) === 0, 'realloc to more than the space did not return 0');
      assert(a.blockAt(p)?.base === p, 'a failed realloc freed the block');
      a.free(p);
      a.check();
    }),
    named('sizes that are not sizes raise bad-size', () => {
      const a = make();
      for (const bad of [-1, 1.5, NaN, Infinity, '8' as unknown as number]) {
        expectCode('bad-size', () => a.malloc(bad), `malloc(${String(bad)})`);
        expectCode('bad-size', () => a.calloc(bad, 1), `calloc(${String(bad)}, 1)`);
        expectCode('bad-size', () => a.calloc(1, bad), `calloc(1, ${String(bad)})`);
        expectCode('bad-size', () => a.realloc(0, bad), `realloc(0, ${String(bad)})`);
        expectCode('bad-size', () => a.memalign(16, bad), `memalign(16, ${String(bad)})`);
      }
      assert(a.stats().liveBlocks === 0, 'a bad-size call allocated');
    }),
    named('alignments that are not powers of two raise bad-alignment', () => {
      const a = make();
      for (const bad of [0, 3, 24, -16, 1.5, NaN]) expectCode('bad-alignment', () => a.memalign(bad, 8), `memalign(${bad}, 8)`);
      assert(a.stats().liveBlocks === 0, 'a bad-alignment call allocated');
    }),
    named('memalign honours every power-of-two alignment', () => {
      const a = make();
      const ps: number[] = [];
      for (let k = 0; k <= (options.maxAlignLog2 ?? 16); k++) {
        const align = 2 ** k;
        const p = a.memalign(align, 100);
        assert(p !== 0 && p % Math.max(16, align) === 0, `memalign(${align}, 100) gave ${p.toString(16)}`);
        ps.push(p);
      }
      a.check();
      for (const p of ps) a.free(p);
      a.check();
    }),
    named('calloc zeroes memory that was used before', () => {
      const a = make();
      const ps = Array.from({ length: 16 }, (_, k) => a.malloc(24 + k * 40));
      for (const p of ps) a.space.raw.fill(p, a.usableSize(p), 0xa5);
      for (const p of ps) a.free(p);
      for (let k = 0; k < 16; k++) {
        const size = 24 + k * 40;
        const q = a.calloc(1, size);
        for (let i = 0; i < size; i++) assert(a.space.raw.u8(q + i) === 0, `calloc(1, ${size}) byte ${i} is not zero`);
      }
      a.check();
    }),
    named('realloc keeps the prefix when growing and shrinking', () => {
      const a = make();
      let p = a.malloc(10);
      const b = { ptr: p, size: 10, align: 16, tag: 7 };
      fillPattern(a.space.raw, b);
      for (const size of [20, 300, 5000, 150_000, 64, 9]) {
        p = a.realloc(p, size);
        assert(p !== 0, `realloc to ${size} failed`);
        assert(findBrokenByte(a.space.raw, { ...b, ptr: p }, Math.min(b.size, size)) < 0, `realloc to ${size} lost the prefix`);
        b.size = size;
        fillPattern(a.space.raw, { ...b, ptr: p });
        a.check();
      }
      a.free(p);
    }),
    named('out of memory returns NULL and the heap works again after frees', () => {
      const a = make(options.oomSpaceSize ?? 8 * 2 ** 20);
      for (const size of [1000, 100, 50_000]) {
        const ps: number[] = [];
        for (let k = 0; k < 1_000_000; k++) {
          const p = a.malloc(size);
          if (p === 0) break;
          a.space.raw.setU8(p, 1);
          ps.push(p);
        }
        assert(ps.length > 0 && ps.length < 1_000_000, `malloc(${size}) never ran out (${ps.length} blocks)`);
        assert(a.malloc(size) === 0, `malloc(${size}) succeeded right after failing`);
        a.check();
        for (const p of ps) a.free(p);
        a.check();
        const again = a.malloc(size);
        assert(again !== 0, `after freeing everything, malloc(${size}) still fails`);
        a.free(again);
      }
      a.check();
    }),
    named(recoveryCheckName(recovery), () => runRecoveryCheck(make, recovery)),
    named('random sequences keep every block aligned, disjoint and intact (fast-check)', () => {
      const runs = options.runs ?? fuzzRuns();
      const seed = options.seed ?? fuzzSeed();
      const prop = fc.property(fc.array(opArbitrary(options.maxSize ?? 200_000, options.maxAlignLog2 ?? 16), { maxLength: options.maxOps ?? 60 }), (ops) => {
        const a = make();
        const m = new Model();
        for (const o of ops) {
          applyOp(a, m, o);
          verify(a, m, { check: checkEvery });
        }
        for (const b of [...m.blocks]) {
          a.free(b.ptr);
          m.remove(b);
        }
        verify(a, m, { check: true });
      });
      const out = fc.check(prop, { numRuns: runs, seed });
      if (out.failed) {
        const ops = (out.counterexample?.[0] ?? []) as Op[];
        const name = options.name ?? 'allocator';
        throw new Error(
          `conformance of ${name} failed after ${out.numRuns} runs (seed ${out.seed}, path "${out.counterexamplePath}"; replay with HEAPLAB_FUZZ__SEED=${out.seed})\n` +
            `${String(out.errorInstance)}\nshrunk sequence (${ops.length} ops):\n` +
            ops.map((o, k) => `  ${k + 1}. ${formatOp(o)}`).join('\n'),
        );
      }
    }),
  ];
}

/** Runs the whole suite; throws the first failure. */
export function runConformance(factory: ConformanceFactory, options: ConformanceOptions = {}): void {
  for (const c of conformanceChecks(factory, options)) {
    try {
      c.run();
    } catch (e) {
      throw new Error(`${options.name ?? 'allocator'}: ${c.name}: ${(e as Error).message}`, { cause: e });
    }
  }
}
