// Freeing a chunk between two free chunks merges the three into one (boundary tags), under every policy.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createAddressSpace } from '@heaplab/core';
import { createDlmallocAllocator } from '../src/index.js';

for (const policy of ['best-fit', 'first-fit', 'next-fit'] as const) {
  test(`a chunk freed between two free chunks merges with both (${policy})`, () => {
    const a = createDlmallocAllocator(createAddressSpace({ size: 64 * 2 ** 20 }), { policy, tcache: 0 });
    const guardBelow = a.malloc(64);
    const x = a.malloc(200);
    const y = a.malloc(300);
    const z = a.malloc(400);
    const guardAbove = a.malloc(64); // keeps z's chunk from merging into the top
    const span = z + a.usableSize(z) - x; // from x's user pointer to the end of z's chunk
    a.free(x);
    a.free(z);
    a.check();
    a.free(y);
    a.check();
    // One free chunk now spans x's, y's and z's chunks: a request of exactly that size fits there.
    const w = a.malloc(span);
    assert.is(w, x, 'the merged chunk serves a request as large as all three');
    assert.ok(a.blockAt(y)?.base === w && a.blockAt(z)?.base === w);
    a.check();
    for (const p of [w, guardBelow, guardAbove]) a.free(p);
    a.check();
  });
}

test.run();
