// Misuse case invalid-free-unaligned (MISUSE_CASES in @heaplab/core/testing) against dlmalloc-style:
// the pointer is not 16-aligned.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { misuseCase, runMisuseCase } from '@heaplab/core/testing';
import { createDlmallocAllocator } from '../../src/index.js';

for (const policy of ['best-fit', 'first-fit', 'next-fit'] as const) {
  test(`invalid-free-unaligned is detected as invalid-free (${policy})`, () => {
    const out = runMisuseCase(misuseCase('invalid-free-unaligned'), (s) => createDlmallocAllocator(s, { policy }));
    assert.ok(out.detected, JSON.stringify(out));
    if (out.detected) {
      assert.is(out.code, 'invalid-free');
      assert.match(out.message, 'not a block of this allocator');
    }
  });
}

test.run();
