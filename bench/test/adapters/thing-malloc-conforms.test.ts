import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { AllocatorError, createAddressSpace } from '@heaplab/core';
import { conformanceChecks } from '@heaplab/core/testing';
import { createThingMallocAllocator } from '../../src/adapters/index.js';

// MemPool walks its used list on every free: keep the sequences few and short.
for (const c of conformanceChecks((space) => createThingMallocAllocator(space, { poolBytes: 16 * 2 ** 20 }), { name: 'thing-malloc', runs: 60, maxOps: 40 })) test(c.name, c.run);

test('the pool is one region owned by the adapter, below 2 GiB in a 4 GiB space, committed as it grows', () => {
  const space = createAddressSpace({ size: 2 ** 32 });
  const a = createThingMallocAllocator(space);
  const m = space.mappings().filter((x) => x.ownerName === a.identity.label);
  assert.is(m.length, 2, 'a writable part (committed as MemPool grows) and the rest reserved');
  assert.is(m[0]!.start, a.region);
  assert.is(m[0]!.prot, 3);
  assert.is(m[1]!.prot, 0);
  assert.is(m.reduce((n, x) => n + x.end - x.start, 0), 512 * 2 ** 20);
  assert.ok(m[0]!.end <= 2 ** 31);
  const p = a.malloc(100);
  assert.ok(p > a.region && p < a.region + a.poolBytes && p % 16 === 0);
  assert.is(space.allocatorAt(p), a);
  assert.equal(a.blockAt(p + 50), { base: p, size: a.usableSize(p) });
  assert.is(space.stats().committed, 2 ** 20);
  const big = a.malloc(3 * 2 ** 20);
  assert.ok(space.accessible(big, 3 * 2 ** 20, 2), 'the block is writable');
  assert.is(space.stats().committed, 4 * 2 ** 20);
});

test('a double free is reported from MemPool\'s free list, a stray pointer as an invalid free', () => {
  const a = createThingMallocAllocator(createAddressSpace({ size: 64 * 2 ** 20 }));
  const p = a.malloc(40);
  const q = a.malloc(40);
  a.malloc(40);
  a.free(p);
  assert.throws(() => a.free(p), (e: unknown) => e instanceof AllocatorError && e.code === 'double-free');
  assert.throws(() => a.free(q + 16), (e: unknown) => e instanceof AllocatorError && e.code === 'invalid-free');
  a.free(q);
  a.check();
});

test('memalign above 16 gives an aligned block that frees back to MemPool', () => {
  const a = createThingMallocAllocator(createAddressSpace({ size: 64 * 2 ** 20 }));
  const before = a.stats().liveBlocks;
  const p = a.memalign(4096, 300);
  assert.is(p % 4096, 0);
  assert.ok(a.usableSize(p) >= 300);
  a.free(p);
  assert.is(a.stats().liveBlocks, before);
  a.check();
});

test.run();
