// Misuse case invalid-free-foreign (MISUSE_CASES in @heaplab/core/testing) against dlmalloc-style:
// the page belongs to another owner.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { misuseCase, runMisuseCase } from '@heaplab/core/testing';
import { createDlmallocAllocator } from '../../src/index.js';

for (const policy of ['best-fit', 'first-fit', 'next-fit'] as const) {
  test(`invalid-free-foreign is detected as invalid-free (${policy})`, () => {
    const out = runMisuseCase(misuseCase('invalid-free-foreign'), (s) => createDlmallocAllocator(s, { policy }));
    assert.ok(out.detected, JSON.stringify(out));
    if (out.detected) {
      assert.is(out.code, 'invalid-free');
      assert.match(out.message, 'not a block of this allocator');
    }
  });
}

test.run();
