// When the free top chunk passes the trim threshold the break moves down: resident bytes fall.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createAddressSpace } from '@heaplab/core';
import { createDlmallocAllocator } from '../src/index.js';

test('freeing everything trims the heap to the top pad and resident bytes fall', () => {
  const space = createAddressSpace({ size: 64 * 2 ** 20 });
  const a = createDlmallocAllocator(space, { releaseThreshold: 0 }); // trimming alone
  const madvise0 = space.stats().calls.madvise;
  const ps: number[] = [];
  for (let k = 0; k < 4000; k++) {
    const p = a.malloc(1000);
    space.u8.fill(0x5a, p, p + 1000);
    ps.push(p);
  }
  const full = space.stats();
  assert.ok(full.resident >= 4000 * 1000, `resident ${full.resident} holds the blocks`);
  for (const p of ps) a.free(p);
  a.check();
  const after = space.stats();
  assert.ok(after.brk < full.brk - 3_000_000, `the break fell from ${full.brk} to ${after.brk}`);
  assert.ok(after.resident < full.resident - 3_000_000, `resident fell from ${full.resident} to ${after.resident}`);
  assert.ok(a.heap.topSize <= a.options.topPad + 2 * space.pageSize, `the top keeps about the pad: ${a.heap.topSize}`);
  assert.is(after.calls.madvise, madvise0, 'no page was released by madvise');
});

test('a large free chunk in the middle of the heap gives its pages back (releaseThreshold), the break stays', () => {
  const space = createAddressSpace({ size: 64 * 2 ** 20 });
  const a = createDlmallocAllocator(space);
  const big = a.malloc(100_000);
  space.u8.fill(1, big, big + 100_000);
  const after = a.malloc(64); // keeps big's chunk off the top
  const before = space.stats();
  a.free(big);
  const now = space.stats();
  assert.is(now.brk, before.brk);
  assert.is(now.calls.madvise - before.calls.madvise, 1);
  assert.ok(now.resident <= before.resident - 23 * 4096, `resident ${before.resident} → ${now.resident}`);
  assert.is(a.malloc(100_000), big, 'the chunk is reused (its pages read as zero)');
  a.check();
  a.free(after);
});

test('releaseThreshold 0 keeps freed pages resident, as dlmalloc does', () => {
  const space = createAddressSpace({ size: 64 * 2 ** 20 });
  const a = createDlmallocAllocator(space, { releaseThreshold: 0 });
  const big = a.malloc(100_000);
  space.u8.fill(1, big, big + 100_000);
  a.malloc(64);
  const before = space.stats();
  a.free(big);
  assert.is(space.stats().resident, before.resident);
  assert.is(space.stats().calls.madvise, before.calls.madvise);
});

test('a free top below the trim threshold is kept (no brk call)', () => {
  const space = createAddressSpace({ size: 64 * 2 ** 20 });
  const a = createDlmallocAllocator(space, { trimThreshold: 1 << 20 });
  const p = a.malloc(500_000 - 32);
  const q = a.malloc(64);
  const brkCalls = space.stats().calls.brk;
  a.free(q);
  a.free(p);
  assert.is(space.stats().calls.brk, brkCalls, 'no trim under a 1 MiB threshold');
  a.check();
});

test('a top grown by another owner\'s brk is never trimmed', () => {
  const space = createAddressSpace({ size: 64 * 2 ** 20 });
  const a = createDlmallocAllocator(space);
  const p = a.malloc(100_000);
  space.sbrk(space.pageSize); // someone else moves the break
  const brk = space.stats().brk;
  a.free(p);
  assert.is(space.stats().brk, brk);
  a.check();
});

test.run();
