/*
 * The shared conformance suite (@heaplab/core/testing) with both presets, check() after every
 * step. Runs come from HEAPLAB_FUZZ__RUNS (default 1,000 per preset).
 */
import { test } from 'uvu';
import { conformanceChecks } from '@heaplab/core/testing';
import { createZonedAllocator, type PresetName } from '../src/index.js';

for (const preset of ['default', 'light'] as PresetName[]) {
  for (const c of conformanceChecks((space) => createZonedAllocator(space, { preset }), { name: `zoned-classes ${preset}`, checkEveryStep: true })) {
    test(`conformance (${preset}): ${c.name}`, c.run);
  }
}

test.run();
