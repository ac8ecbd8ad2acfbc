/*
 * The conformance kit and every misuse case, both presets, in a flat 4 GiB space (zones of a
 * share of the space) and in a paged 2^47-byte space (hardened_malloc's 32 GiB zone per class,
 * addresses above 2^32, pointers located by arithmetic). To keep CI time bounded the random
 * sequences run a tenth of HEAPLAB_FUZZ__RUNS in 4 GiB (at least 25) and a fortieth in 2^47 (at
 * least 10): conformance.test.ts runs them all in the kit's 64 MiB space. The misuse cases must
 * give the same detection as in 64 MiB.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { MISUSE_CASES, conformanceChecks, fuzzRuns, runMisuseCase, type MisuseOutcome } from '@heaplab/core/testing';
import { createAddressSpace } from '@heaplab/core';
import { createZonedAllocator, type PresetName } from '../src/index.js';

const SIZES = [
  { label: '4 GiB', size: 2 ** 32, runs: Math.max(25, Math.floor(fuzzRuns() / 10)) },
  { label: '2^47', size: 2 ** 47, runs: Math.max(10, Math.floor(fuzzRuns() / 40)) },
];
const outcome = (o: MisuseOutcome): string => (o.detected ? o.code : o.corrupted !== null ? 'corrupted' : o.crashed !== null ? `crashed: ${o.crashed}` : 'undetected');

for (const preset of ['default', 'light'] as PresetName[]) {
  const make = (space: Parameters<typeof createZonedAllocator>[0]) => createZonedAllocator(space, { preset });
  for (const { label, size, runs } of SIZES) {
    for (const c of conformanceChecks(make, { name: `zoned-classes ${preset} in ${label}`, spaceSize: size, runs, checkEveryStep: true })) {
      test(`conformance in a ${label} space (${preset}): ${c.name}`, c.run);
    }
    test(`every misuse case gives the same outcome in a ${label} space as in 64 MiB (${preset})`, () => {
      for (const c of MISUSE_CASES) {
        assert.is(outcome(runMisuseCase(c, make, size)), outcome(runMisuseCase(c, make)), c.name);
      }
    });
  }
}

test('a 2^47 space gives each class a 32 GiB zone, a 4 GiB space a share of it', () => {
  assert.is(createZonedAllocator(createAddressSpace({ size: 2 ** 47 })).zoneBytes, 32 * 2 ** 30);
  const small = createZonedAllocator(createAddressSpace({ size: 2 ** 32 }));
  assert.ok(small.zoneBytes < 64 * 2 ** 20, `${small.zoneBytes}`);
});

test.run();
