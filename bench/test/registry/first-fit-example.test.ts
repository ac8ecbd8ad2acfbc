/*
 * The "write your own allocator" example: first-fit, loaded from its module path as
 * heaplab.config.json names it, passes runConformance and is one of bench's allocators (so the
 * benchmarks and `heaplab fuzz` run it).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runConformance, fuzzRuns } from '@heaplab/core/testing';
import { loadConfig } from '@heaplab/core';
import { allocatorFactory, allocatorNames, builtinRegistry } from '../../src/allocators.js';

test('the configuration loads first-fit from its path, relative to the file', async () => {
  const config = await loadConfig({ registry: builtinRegistry(), env: {} });
  const section = config.allocators.get('first-fit')!;
  assert.match(section.origin, /\/examples\/first-fit\/first-fit\.ts$/);
  assert.is(section.strategy.family, 'free-list');
});

test('first-fit from its module passes runConformance', () => {
  assert.ok(allocatorNames().includes('first-fit'), `bench's allocators: ${allocatorNames().join(', ')}`);
  const make = allocatorFactory('first-fit');
  runConformance((space) => make(space), { name: 'first-fit', runs: Math.max(50, Math.ceil(fuzzRuns() / 2)) });
});

test('first-fit from its module passes runConformance in a paged 2^47 space (a fortieth of the runs)', () => {
  const make = allocatorFactory('first-fit');
  runConformance((space) => make(space), { name: 'first-fit 2^47', spaceSize: 2 ** 47, runs: Math.max(10, Math.ceil(fuzzRuns() / 40)) });
});

test.run();
