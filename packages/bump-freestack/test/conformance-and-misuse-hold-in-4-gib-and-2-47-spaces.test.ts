/*
 * The conformance kit and every misuse case in a flat 4 GiB space (handles are addresses) and in
 * a paged 2^47-byte space (addresses above 2^32, stored as 32-bit handles from the handle base
 * 2^47 − 2^32): defaults, safe-linking with small caches (blocks cross the mangled stacks
 * often), and FIFO queues. To keep CI time bounded the random sequences run a tenth of
 * HEAPLAB_FUZZ__RUNS in 4 GiB (at least 25) and a fortieth in 2^47 (at least 10), where every
 * access also translates through the page table: conformance.test.ts runs them all in the kit's
 * 64 MiB space. The misuse cases must give the same outcome as in 64 MiB.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { MISUSE_CASES, conformanceChecks, fuzzRuns, runMisuseCase, type MisuseOutcome } from '@heaplab/core/testing';
import type { AddressSpace } from '@heaplab/core';
import { createBumpFreestackAllocator, type BumpFreestackOptions } from '../src/index.js';
import { strategy } from '../src/register.js';

const SIZES = [
  { label: '4 GiB', size: 2 ** 32, runs: Math.max(25, Math.floor(fuzzRuns() / 10)) },
  { label: '2^47', size: 2 ** 47, runs: Math.max(10, Math.floor(fuzzRuns() / 40)) },
];
const VARIANTS: { name: string; options: Partial<BumpFreestackOptions> }[] = [
  { name: 'defaults', options: {} },
  { name: 'safe-linking, small caches', options: { safeLinking: true, cacheBlocks: 2 } },
  { name: 'safe-linking, fifo', options: { safeLinking: true, fifo: true } },
];
const outcome = (o: MisuseOutcome): string => (o.detected ? o.code : o.corrupted !== null ? 'corrupted' : o.crashed !== null ? `crashed: ${o.crashed}` : 'undetected');

for (const v of VARIANTS) {
  const make = (space: AddressSpace) => createBumpFreestackAllocator(space, v.options);
  for (const { label, size, runs } of SIZES) {
    for (const c of conformanceChecks(make, { name: `bump-freestack (${v.name}) in ${label}`, spaceSize: size, runs, oomRecovery: strategy.oomRecovery })) {
      test(`conformance in a ${label} space (${v.name}): ${c.name}`, c.run);
    }
    test(`every misuse case gives the same outcome in a ${label} space as in 64 MiB (${v.name})`, () => {
      for (const c of MISUSE_CASES) {
        assert.is(outcome(runMisuseCase(c, make, size)), outcome(runMisuseCase(c, make)), c.name);
      }
    });
  }
}

test.run();
