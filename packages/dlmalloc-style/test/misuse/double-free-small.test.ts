// Misuse case double-free-small (MISUSE_CASES in @heaplab/core/testing) against dlmalloc-style:
// the chunk is parked in the tcache (TCACHED in its head); with tcache 0 a chunk starts at ptr − 16 with CINUSE clear.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { misuseCase, runMisuseCase } from '@heaplab/core/testing';
import { createDlmallocAllocator } from '../../src/index.js';

for (const policy of ['best-fit', 'first-fit', 'next-fit'] as const) {
  test(`double-free-small is detected as double-free (${policy})`, () => {
    const out = runMisuseCase(misuseCase('double-free-small'), (s) => createDlmallocAllocator(s, { policy }));
    assert.ok(out.detected, JSON.stringify(out));
    if (out.detected) {
      assert.is(out.code, 'double-free');
      assert.match(out.message, 'the chunk is already free');
    }
  });
}

test.run();
