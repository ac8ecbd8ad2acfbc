/*
 * The conformance kit and every misuse case in a flat 4 GiB space and in a paged 2^47-byte space
 * (addresses above 2^32, memory reached through space.raw). To keep CI time bounded the random
 * sequences run a tenth of HEAPLAB_FUZZ__RUNS in 4 GiB (at least 25) and a fortieth in 2^47 (at
 * least 10): the 64 MiB suite (mmap-pages.test.ts) runs them all. The misuse cases must give the
 * same detection as in the kit's default 64 MiB space.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { MISUSE_CASES, conformanceChecks, fuzzRuns, runMisuseCase, type MisuseOutcome } from '@heaplab/core/testing';
import { createMmapPagesAllocator } from '../src/index.js';

const SIZES = [
  { label: '4 GiB', size: 2 ** 32, runs: Math.max(25, Math.floor(fuzzRuns() / 10)) },
  { label: '2^47', size: 2 ** 47, runs: Math.max(10, Math.floor(fuzzRuns() / 40)) },
];
const outcome = (o: MisuseOutcome): string => (o.detected ? o.code : o.corrupted !== null ? 'corrupted' : o.crashed !== null ? 'crashed' : 'undetected');

for (const guardPage of [false, true]) {
  const make = (space: Parameters<typeof createMmapPagesAllocator>[0]) => createMmapPagesAllocator(space, { guardPage });
  for (const { label, size, runs } of SIZES) {
    for (const c of conformanceChecks(make, { name: `mmap-pages guardPage=${guardPage} in ${label}`, spaceSize: size, runs })) {
      test(`conformance in a ${label} space (guardPage ${guardPage}): ${c.name}`, c.run);
    }
    test(`every misuse case gives the same outcome in a ${label} space as in 64 MiB (guardPage ${guardPage})`, () => {
      for (const c of MISUSE_CASES) {
        assert.is(outcome(runMisuseCase(c, make, size)), outcome(runMisuseCase(c, make)), c.name);
      }
    });
  }
}

test.run();
