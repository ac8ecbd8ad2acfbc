// Misuse case size-mismatch-small (MISUSE_CASES in @heaplab/core/testing) against dlmalloc-style:
// the requested size is kept in every in-use chunk header (c+8).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { misuseCase, runMisuseCase } from '@heaplab/core/testing';
import { createDlmallocAllocator } from '../../src/index.js';

for (const policy of ['best-fit', 'first-fit', 'next-fit'] as const) {
  test(`size-mismatch-small is detected as size-mismatch (${policy})`, () => {
    const out = runMisuseCase(misuseCase('size-mismatch-small'), (s) => createDlmallocAllocator(s, { policy }));
    assert.ok(out.detected, JSON.stringify(out));
    if (out.detected) {
      assert.is(out.code, 'size-mismatch');
      assert.match(out.message, 'of a block of 32 bytes');
    }
  });
}

test.run();
