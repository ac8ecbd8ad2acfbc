/*
 * In a 2^47 space every block lies above 2^32 (the heap takes its memory in the top 4 GiB of the
 * mmap area, layout.ts), yet the free stacks hold 32-bit handles: freed blocks go onto them and
 * come back, LIFO, as the same addresses, with and without safe-linking, through the caches'
 * batches and straight through the stacks (no caches), with no new run carved for them.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createAddressSpace } from '@heaplab/core';
import { createBumpFreestackAllocator, type BumpFreestackOptions } from '../src/index.js';

const cases: { name: string; options: Partial<BumpFreestackOptions> }[] = [
  { name: 'no caches', options: { cacheBlocks: 0 } },
  { name: 'no caches, safe-linking', options: { cacheBlocks: 0, safeLinking: true } },
  { name: 'caches, safe-linking', options: { safeLinking: true } },
  { name: 'fifo, safe-linking', options: { fifo: true, safeLinking: true } },
];

for (const { name, options } of cases) {
  test(`freed blocks above 2^32 come back from the free stack (${name})`, () => {
    const space = createAddressSpace({ size: 2 ** 47 });
    const a = createBumpFreestackAllocator(space, options);
    const n = 3000;
    const first: number[] = [];
    for (let i = 0; i < n; i++) {
      const p = a.malloc(48);
      assert.ok(p > 2 ** 32, `block ${p.toString(16)} lies above 2^32`);
      space.raw.setU32(p, i);
      first.push(p);
    }
    // With caches, a refill carves a batch: blocks carved but not handed out wait in the cache.
    const { runs, cachedBlocks: extra } = a.census();
    for (const p of first) a.free(p);
    a.flush(); // every cached block onto the shared list
    assert.is(a.census().listedBlocks, n + extra, 'every freed block is on the class list');
    const again = new Set<number>();
    for (let i = 0; i < n; i++) again.add(a.malloc(48));
    const reused = first.filter((p) => again.has(p)).length;
    assert.ok(reused >= n - extra, `${reused} of ${n} freed blocks handed out again (${extra} carved ones were listed too)`);
    if (extra === 0) assert.equal([...again].sort((x, y) => x - y), [...first].sort((x, y) => x - y), 'the same blocks, by address');
    assert.is(a.census().runs, runs, 'no new run was carved');
    a.check();
  });
}

test('the first block freed without caches is handed out last (LIFO stack), above 2^32', () => {
  const space = createAddressSpace({ size: 2 ** 47 });
  const a = createBumpFreestackAllocator(space, { cacheBlocks: 0 });
  const ps = [a.malloc(100), a.malloc(100), a.malloc(100)];
  for (const p of ps) a.free(p);
  assert.equal([a.malloc(100), a.malloc(100), a.malloc(100)], [...ps].reverse());
});

test.run();
