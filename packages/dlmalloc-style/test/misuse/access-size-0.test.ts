// Misuse case access-size-0 (MISUSE_CASES in @heaplab/core/testing) against dlmalloc-style:
// malloc(0) is a 16-byte chunk in the heap: its pointer is readable (the next chunk's canary): not detected.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { misuseCase, runMisuseCase } from '@heaplab/core/testing';
import { createDlmallocAllocator } from '../../src/index.js';

for (const policy of ['best-fit', 'first-fit', 'next-fit'] as const) {
  test(`access-size-0 is not detected and leaves the heap intact (${policy})`, () => {
    const out = runMisuseCase(misuseCase('access-size-0'), (s) => createDlmallocAllocator(s, { policy }));
    assert.equal(out, { detected: false, corrupted: null, crashed: null });
  });
}

test.run();
