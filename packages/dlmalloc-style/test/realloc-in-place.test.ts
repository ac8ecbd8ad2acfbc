// realloc grows and shrinks in place when the next chunk (free, the victim or the top) allows.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createAddressSpace } from '@heaplab/core';
import { createDlmallocAllocator } from '../src/index.js';

for (const policy of ['best-fit', 'first-fit', 'next-fit'] as const) {
  test(`realloc grows into the top, then into a free neighbour, and shrinks in place (${policy})`, () => {
    const space = createAddressSpace({ size: 64 * 2 ** 20 });
    const a = createDlmallocAllocator(space, { policy, tcache: 0 });
    const p = a.malloc(100);
    space.u8.fill(7, p, p + 100);
    assert.is(a.realloc(p, 5000), p, 'grown into the top');
    assert.is(a.realloc(p, 200_000 - 64), p, 'grown past the top by moving the break');
    a.check();
    const q = a.malloc(100);
    const r = a.malloc(100);
    a.free(r);
    a.free(a.malloc(10)); // keep things moving
    assert.is(a.realloc(q, 180), q, 'grown into the free chunk after it');
    const s = a.malloc(1000);
    assert.is(a.realloc(s, 100), s, 'shrunk in place');
    assert.is(a.usableSize(s), 112);
    a.check();
    for (let i = 0; i < 100; i++) assert.is(space.u8[p + i], 7);
    for (const x of [p, q, s]) a.free(x);
    a.check();
  });
}

test('realloc of an mmapped block shrinks its mapping and grows it when the pages above are free', () => {
  const space = createAddressSpace({ size: 64 * 2 ** 20 });
  const a = createDlmallocAllocator(space, { mmapThreshold: 128 * 1024 });
  const low = a.malloc(300_000);
  const high = a.malloc(300_000); // mapped below `low` (top-down)
  const before = space.stats().mapped;
  assert.is(a.realloc(low, 150_000), low, 'shrunk in place');
  assert.ok(space.stats().mapped < before, 'pages were unmapped');
  a.free(low);
  assert.is(a.realloc(high, 400_000), high, 'grown into the pages freed above');
  a.check();
  a.free(high);
  a.check();
});

test.run();
