import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { conformanceChecks } from '@heaplab/core/testing';
import { createAddressSpace } from '@heaplab/core';
import { createMmapPagesAllocator } from '../src/index.js';

for (const guardPage of [false, true]) {
  for (const c of conformanceChecks((space) => createMmapPagesAllocator(space, { guardPage }), { name: `mmap-pages guardPage=${guardPage}` })) {
    test(`conformance (guardPage ${guardPage}): ${c.name}`, c.run);
  }
}

test('each malloc is one mmap and each free one munmap', () => {
  const space = createAddressSpace({ size: 64 * 2 ** 20 });
  const a = createMmapPagesAllocator(space);
  const before = space.stats().calls;
  const ps = Array.from({ length: 10 }, () => a.malloc(100));
  for (const p of ps) a.free(p);
  const after = space.stats().calls;
  assert.is(after.mmap - before.mmap, 10);
  assert.is(after.munmap - before.munmap, 10);
});

test('a block is resident only where it was written', () => {
  const space = createAddressSpace({ size: 64 * 2 ** 20 });
  const a = createMmapPagesAllocator(space);
  const p = a.malloc(10 * 4096);
  assert.is(space.stats().resident, 4096, 'only the header page');
  space.u8[p + 5 * 4096] = 1;
  assert.is(space.stats().resident, 2 * 4096);
  a.free(p);
  assert.is(space.stats().resident, 0);
});

test('realloc grows in place when the pages above are free and moves otherwise', () => {
  const space = createAddressSpace({ size: 64 * 2 ** 20 });
  const a = createMmapPagesAllocator(space);
  const low = a.malloc(100);
  const high = a.malloc(100); // mapped below `low` (top-down)
  a.free(low); // the page above `high` is now free
  assert.is(a.realloc(high, 6000), high, 'grown by remapping the next page');
  const blocker = a.malloc(100);
  const moved = a.realloc(high, 20000);
  assert.ok(moved !== 0);
  a.check();
  a.free(moved);
  a.free(blocker);
  a.check();
});

test('a guard page after each block turns an overflow into a segmentation fault', () => {
  const space = createAddressSpace({ size: 64 * 2 ** 20 });
  const a = createMmapPagesAllocator(space, { guardPage: true });
  const p = a.malloc(40);
  space.store8(p + 47, 1); // inside the rounded size
  assert.throws(() => space.store8(p + 48, 1), /segmentation fault: write/);
});

test('bad options are rejected with the option named', () => {
  const space = createAddressSpace({ size: 64 * 2 ** 20 });
  assert.throws(() => createMmapPagesAllocator(space, { guardPage: 'yes' as unknown as boolean }), /guardPage/);
  assert.throws(() => createMmapPagesAllocator(space, { freeHistory: -1 }), /freeHistory/);
});

test.run();
