// When the free top chunk passes the trim threshold the break moves down: resident bytes fall.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createAddressSpace } from '@heaplab/core';
import { createDlmallocAllocator } from '../src/index.js';

test('freeing everything trims the heap to the top pad and resident bytes fall', () => {
  const space = createAddressSpace({ size: 64 * 2 ** 20 });
  const a = createDlmallocAllocator(space);
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
