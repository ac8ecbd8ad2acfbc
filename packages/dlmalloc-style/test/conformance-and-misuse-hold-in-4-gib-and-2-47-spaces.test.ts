/*
 * dlmalloc-style in a flat 4 GiB space (state and mmapped chunks just below 2^32) and in a paged
 * 2^47-byte space: its state mapping (bin heads, tcache, chunk-start
 * bitmap) ends at the top of its 4 GiB window, just past 2^32, mmapped chunks sit near 2^47, and
 * every in-band address word is an offset from the window base. The conformance kit (every
 * policy, and best fit with safe-linking) and every misuse case (also first fit with
 * safe-linking) run in both; to keep CI time bounded the random sequences run a twentieth of
 * HEAPLAB_FUZZ__RUNS in 4 GiB (at least 25) and a fortieth in 2^47 (at least 10) —
 * conformance.test.ts runs them all in the kit's 64 MiB space. Each misuse case must give the same outcome as in 64 MiB, and the attack
 * kit's safe-linking detections must hold.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createAddressSpace, type AddressSpace } from '@heaplab/core';
import {
  MISUSE_CASES, conformanceChecks, freeListPoisoning, fuzzRuns, runAttack, runMisuseCase, unsafeUnlink, type MisuseOutcome,
} from '@heaplab/core/testing';
import { createDlmallocAllocator, type DlmallocOptions } from '../src/index.js';

const SIZE = 2 ** 47;
const SIZES = [
  { label: '4 GiB', size: 2 ** 32, runs: Math.max(25, Math.floor(fuzzRuns() / 20)) },
  { label: '2^47', size: SIZE, runs: Math.max(10, Math.floor(fuzzRuns() / 40)) },
];
const outcome = (o: MisuseOutcome): string => (o.detected ? o.code : o.corrupted !== null ? 'corrupted' : o.crashed !== null ? `crashed: ${o.crashed}` : 'undetected');
const CONFIGS: { label: string; options: Partial<DlmallocOptions>; conformance: boolean }[] = [
  { label: 'best-fit', options: { policy: 'best-fit' }, conformance: true },
  { label: 'first-fit', options: { policy: 'first-fit' }, conformance: true },
  { label: 'next-fit', options: { policy: 'next-fit' }, conformance: true },
  { label: 'best-fit, safe-linking', options: { policy: 'best-fit', safeLinking: true }, conformance: true },
  { label: 'first-fit, safe-linking', options: { policy: 'first-fit', safeLinking: true }, conformance: false },
];

for (const { label, options, conformance } of CONFIGS) {
  const make = (space: AddressSpace) => createDlmallocAllocator(space, options);
  for (const { label: where, size, runs } of SIZES) {
    if (conformance) for (const c of conformanceChecks(make, { name: `dlmalloc-style ${label} in ${where}`, spaceSize: size, runs, checkEveryStep: true })) {
      test(`conformance in a ${where} space (${label}): ${c.name}`, c.run);
    }
    test(`every misuse case gives the same outcome in a ${where} space as in 64 MiB (${label})`, () => {
      for (const c of MISUSE_CASES) assert.is(outcome(runMisuseCase(c, make, size)), outcome(runMisuseCase(c, make)), c.name);
    });
  }
}

test('safe-linking detects free-list poisoning and unsafe unlink in a 2^47 space', () => {
  const make = (o: Partial<DlmallocOptions>) => (space: AddressSpace) => createDlmallocAllocator(space, o);
  const poison = runAttack(freeListPoisoning, make({ safeLinking: true }), SIZE);
  assert.is(poison.result, 'detected', poison.detail);
  for (const policy of ['best-fit', 'first-fit', 'next-fit'] as const) {
    const unlink = runAttack(unsafeUnlink, make({ policy, safeLinking: true }), SIZE);
    assert.is(unlink.result, 'detected', `${policy}: ${unlink.detail}`);
  }
});

test('the state ends at the top of the 4 GiB window, past 2^32, and mmapped chunks sit near the top of a 2^47 space', () => {
  const a = createDlmallocAllocator(createAddressSpace({ size: SIZE }));
  assert.is(a.stateEnd, a.wb + 2 ** 32);
  assert.ok(a.stateEnd > 2 ** 32, `${a.stateEnd}`);
  const big = a.malloc(1 << 20);
  assert.ok(big > 2 ** 46, `${big}`);
  a.free(big);
  a.check();
});

test('a block whose mapping would pass 4 GiB is refused as out of memory (sizes are 32-bit words)', () => {
  const a = createDlmallocAllocator(createAddressSpace({ size: SIZE }));
  assert.is(a.malloc(2 ** 32), 0);
  const p = a.malloc(2 ** 31);
  assert.ok(p > 0);
  assert.is(a.usableSize(p) >= 2 ** 31, true);
  assert.is(a.realloc(p, 2 ** 32), 0);
  a.free(p);
  a.check();
});

test.run();
