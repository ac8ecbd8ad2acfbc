// Misuse case double-free-large (MISUSE_CASES in @heaplab/core/testing) against dlmalloc-style:
// the mapping is gone; the pointer is among the recent munmaps (unmapHistory).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { misuseCase, runMisuseCase } from '@heaplab/core/testing';
import { createDlmallocAllocator } from '../../src/index.js';

for (const policy of ['best-fit', 'first-fit', 'next-fit'] as const) {
  test(`double-free-large is detected as double-free (${policy})`, () => {
    const out = runMisuseCase(misuseCase('double-free-large'), (s) => createDlmallocAllocator(s, { policy }));
    assert.ok(out.detected, JSON.stringify(out));
    if (out.detected) {
      assert.is(out.code, 'double-free');
      assert.match(out.message, 'already unmapped');
    }
  });
}

test.run();
