import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { conformanceChecks } from '../../src/testing/index.js';
import { TinyAllocator, type TinyBug } from '../fixtures/tiny-allocator.js';

for (const c of conformanceChecks((space) => new TinyAllocator(space), { name: 'tiny', runs: 300 })) {
  test(`a correct allocator passes: ${c.name}`, c.run);
}

function failureOf(bug: TinyBug): string {
  try {
    const fuzz = conformanceChecks((space) => new TinyAllocator(space, bug), { name: `tiny-${bug}`, runs: 300, seed: 7 }).find((c) => c.name.includes('fast-check'))!;
    fuzz.run();
  } catch (e) {
    return (e as Error).message;
  }
  return '';
}

test('overlapping blocks fail the suite, with the seed and the shrunk sequence printed', () => {
  const m = failureOf('overlap');
  assert.match(m, /overlaps|pattern broken|usableSize/);
  assert.match(m, /seed 7/);
  assert.match(m, /shrunk sequence \(\d+ ops\):\n {2}1\. /);
  assert.match(m, /HEAPLAB_FUZZ__SEED=7/);
});

test('calloc that does not zero fails the suite', () => {
  assert.match(failureOf('calloc-dirty'), /calloc/);
});

test('stats that disagree with the model fail the suite', () => {
  assert.match(failureOf('stats-off'), /liveBlocks/);
});

test('metadata written into a live block fails the suite', () => {
  assert.match(failureOf('header-in-block'), /pattern broken/);
});

test.run();
