/*
 * inspect for bump-freestack: a live block's size class, run and requested bytes (then the slack
 * to the class size); a freed block is free and says where it waits — a worker's cache, or the
 * class's shared free stack once the cache is flushed; the metadata region is metadata.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createAddressSpace } from '@heaplab/core';
import { createBumpFreestackAllocator } from '../src/index.js';

const detail = (r: { details: ReadonlyArray<readonly [string, string]> }, k: string): string | undefined => r.details.find(([l]) => l === k)?.[1];

test('inspect names the size class and run of a live block, then its slack', () => {
  const a = createBumpFreestackAllocator(createAddressSpace({ size: 64 * 2 ** 20 }));
  const p = a.malloc(100);
  const r = a.inspect(p + 10)!;
  assert.is(r.kind, 'live');
  assert.equal([r.start, r.size], [p, 100]);
  assert.equal(r.block, a.blockAt(p));
  assert.match(detail(r, 'size class')!, `${a.usableSize(p)} bytes`);
  assert.is(detail(r, 'requested'), '100 bytes');
  if (a.usableSize(p) > 100) assert.is(a.inspect(p + 100)!.kind, 'slack');
});

test('inspect names the free stack a freed block waits on: the cache, then the shared stack after a flush', () => {
  const a = createBumpFreestackAllocator(createAddressSpace({ size: 64 * 2 ** 20 }));
  const p = a.malloc(48);
  a.free(p);
  const cached = a.inspect(p)!;
  assert.is(cached.kind, 'free');
  assert.match(detail(cached, 'free stack')!, 'cache');
  a.flush();
  const stacked = a.inspect(p)!;
  assert.is(stacked.kind, 'free');
  assert.match(detail(stacked, 'free stack')!, 'shared free stack');
});

test('inspect calls the heap\'s own region metadata and foreign memory undefined', () => {
  const a = createBumpFreestackAllocator(createAddressSpace({ size: 64 * 2 ** 20 }));
  a.malloc(8);
  assert.is(a.inspect(a.heapAddress)!.kind, 'metadata');
  assert.is(a.inspect(4096), undefined);
});

test.run();
