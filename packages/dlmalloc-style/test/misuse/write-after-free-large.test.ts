// Misuse case write-after-free-large (MISUSE_CASES in @heaplab/core/testing) against dlmalloc-style:
// the block was munmapped, so the checked write faults in the space.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { misuseCase, runMisuseCase } from '@heaplab/core/testing';
import { createDlmallocAllocator } from '../../src/index.js';

for (const policy of ['best-fit', 'first-fit', 'next-fit'] as const) {
  test(`write-after-free-large is detected as segfault (${policy})`, () => {
    const out = runMisuseCase(misuseCase('write-after-free-large'), (s) => createDlmallocAllocator(s, { policy }));
    assert.ok(out.detected, JSON.stringify(out));
    if (out.detected) {
      assert.is(out.code, 'segfault');
      assert.match(out.message, 'unmapped');
    }
  });
}

test.run();
