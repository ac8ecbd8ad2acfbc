// Misuse case double-free-small-delayed (MISUSE_CASES in @heaplab/core/testing) against dlmalloc-style:
// both blocks are parked in the tcache, so the first is TCACHED; with tcache 0 it was merged into the top and its stale head says free.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { misuseCase, runMisuseCase } from '@heaplab/core/testing';
import { createDlmallocAllocator } from '../../src/index.js';

for (const policy of ['best-fit', 'first-fit', 'next-fit'] as const) {
  test(`double-free-small-delayed is detected as double-free (${policy})`, () => {
    const out = runMisuseCase(misuseCase('double-free-small-delayed'), (s) => createDlmallocAllocator(s, { policy }));
    assert.ok(out.detected, JSON.stringify(out));
    if (out.detected) {
      assert.is(out.code, 'double-free');
      assert.match(out.message, 'already free');
    }
  });
}

test.run();
