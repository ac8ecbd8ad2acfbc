// Misuse case write-after-free-small (MISUSE_CASES in @heaplab/core/testing) against dlmalloc-style:
// the freed block is parked in the tcache and popped by the next malloc of its size; the write lands in its user bytes, which hold no metadata: not detected, heap intact.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { misuseCase, runMisuseCase } from '@heaplab/core/testing';
import { createDlmallocAllocator } from '../../src/index.js';

for (const policy of ['best-fit', 'first-fit', 'next-fit'] as const) {
  test(`write-after-free-small is not detected and leaves the heap intact (${policy})`, () => {
    const out = runMisuseCase(misuseCase('write-after-free-small'), (s) => createDlmallocAllocator(s, { policy }));
    assert.equal(out, { detected: false, corrupted: null, crashed: null });
  });
}

test.run();
