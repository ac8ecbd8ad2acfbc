// memalign carves an aligned chunk out of a larger one and frees the slack before and after it:
// the slack serves later requests, and freeing everything leaves one free chunk (the top).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createAddressSpace } from '@heaplab/core';
import { createDlmallocAllocator } from '../src/index.js';

for (const policy of ['best-fit', 'first-fit', 'next-fit'] as const) {
  test(`the slack of memalign is free, reusable, and nothing is left over (${policy})`, () => {
    const a = createDlmallocAllocator(createAddressSpace({ size: 64 * 2 ** 20 }), { policy, tcache: 0 });
    const first = a.malloc(40);
    const p = a.memalign(4096, 100);
    assert.is(p % 4096, 0);
    assert.is(a.usableSize(p), 112, 'the aligned chunk is trimmed to the request');
    a.check();
    // The leading slack lies between `first` and p: a small request fits there, below p.
    const q = a.malloc(200);
    assert.ok(q > first && q < p, `the slack before p served malloc(200): ${q} between ${first} and ${p}`);
    for (const x of [first, p, q]) a.free(x);
    a.check();
    const h = a.heap;
    assert.is(h.top, h.base, 'everything merged back into the top: no slack leaked');
  });
}

test.run();
