// Misuse case overflow-small-1-byte-realloc (MISUSE_CASES in @heaplab/core/testing) against dlmalloc-style:
// realloc validates the block (the canary in the next chunk's prev_foot) before it resizes or moves it.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { misuseCase, runMisuseCase } from '@heaplab/core/testing';
import { createDlmallocAllocator } from '../../src/index.js';

for (const policy of ['best-fit', 'first-fit', 'next-fit'] as const) {
  test(`overflow-small-1-byte-realloc is detected as canary-corrupted (${policy})`, () => {
    const out = runMisuseCase(misuseCase('overflow-small-1-byte-realloc'), (s) => createDlmallocAllocator(s, { policy }));
    assert.ok(out.detected, JSON.stringify(out));
    if (out.detected) {
      assert.is(out.code, 'canary-corrupted');
      assert.match(out.message, 'canary');
    }
  });
}

test.run();
