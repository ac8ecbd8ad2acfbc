// Misuse case overflow-large (MISUSE_CASES in @heaplab/core/testing) against dlmalloc-style:
// the byte past an mmapped chunk is the first byte of the mapping above (another large block, whose unused prev_foot it hits): not detected, and nothing is damaged.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { misuseCase, runMisuseCase } from '@heaplab/core/testing';
import { createDlmallocAllocator } from '../../src/index.js';

for (const policy of ['best-fit', 'first-fit', 'next-fit'] as const) {
  test(`overflow-large is not detected and leaves the heap intact (${policy})`, () => {
    const out = runMisuseCase(misuseCase('overflow-large'), (s) => createDlmallocAllocator(s, { policy }));
    assert.equal(out, { detected: false, corrupted: null, crashed: null });
  });
}

test.run();
