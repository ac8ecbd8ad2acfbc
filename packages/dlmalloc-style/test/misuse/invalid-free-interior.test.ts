// Misuse case invalid-free-interior (MISUSE_CASES in @heaplab/core/testing) against dlmalloc-style:
// no bit in the chunk-start bitmap at ptr − 16.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { misuseCase, runMisuseCase } from '@heaplab/core/testing';
import { createDlmallocAllocator } from '../../src/index.js';

for (const policy of ['best-fit', 'first-fit', 'next-fit'] as const) {
  test(`invalid-free-interior is detected as invalid-free (${policy})`, () => {
    const out = runMisuseCase(misuseCase('invalid-free-interior'), (s) => createDlmallocAllocator(s, { policy }));
    assert.ok(out.detected, JSON.stringify(out));
    if (out.detected) {
      assert.is(out.code, 'invalid-free');
      assert.match(out.message, 'no chunk starts');
    }
  });
}

test.run();
