// The kmalloc size list and slab geometry, computed as SLUB computes them.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createAddressSpace } from '@heaplab/core';
import { createKmallocAllocator, kmallocCaches, kmallocSizes, slabOrder } from '../src/index.js';

test('the size list is 16 … 8k by powers of two plus 96 and 192', () => {
  assert.equal(kmallocSizes(4096), [16, 32, 64, 96, 128, 192, 256, 512, 1024, 2048, 4096, 8192]);
  assert.is(kmallocSizes(65536).at(-1), 131072, 'the largest cache is two pages');
});

test('slab orders and objects per slab are those of a one-CPU SLUB with 4 KiB pages', () => {
  const g = Object.fromEntries(kmallocCaches(4096, 10, false, false).map((c) => [c.size, [c.order, c.objects]]));
  assert.equal(g[16], [0, 256]);
  assert.equal(g[96], [0, 42]);
  assert.equal(g[192], [0, 21]);
  assert.equal(g[1024], [1, 8]);
  assert.equal(g[2048], [2, 8]);
  assert.equal(g[4096], [3, 8]);
  assert.equal(g[8192], [3, 4]);
});

test('debug bytes widen the stride and may raise the order', () => {
  const plain = kmallocCaches(4096, 10, false, false).find((c) => c.size === 512)!;
  const debug = kmallocCaches(4096, 10, true, true).find((c) => c.size === 512)!;
  assert.is(plain.stride, 512);
  assert.is(debug.stride, 544);
  assert.is(debug.freePointer, 528, 'after the object and its red zone');
  assert.ok(debug.objects * debug.stride <= 4096 * 2 ** debug.order);
  assert.ok((4096 * 2 ** debug.order) % debug.stride <= (4096 * 2 ** debug.order) / 4, 'leftover within a quarter');
});

test('an order never exceeds the frame allocator highest order when the object fits', () => {
  assert.is(slabOrder(8192, 4096, 1), 1);
});

test('with order-0 frames only, the caches stop at one page and larger requests fail instead of asking for an order that does not exist', () => {
  assert.equal(kmallocCaches(4096, 0, false, false).map((c) => [c.size, c.order]).at(-1), [4096, 0]);
  const k = createKmallocAllocator(createAddressSpace({ size: 64 * 2 ** 20 }), { maxOrder: 0, physicalMib: 1 });
  assert.ok(k.malloc(4096) !== 0);
  assert.is(k.malloc(4097), 0);
  k.check();
});

test.run();
