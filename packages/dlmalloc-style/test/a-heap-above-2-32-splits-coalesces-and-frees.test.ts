/*
 * In a 2^47 space whose break another owner moved past 2^32 before the allocator started, the
 * heap's chunks sit above 2^32: a chunk there is split, its neighbours coalesce with it when
 * freed (with safe-linking's checks on), the tcache and the bins link it, and everything is
 * given back — while every in-band link word holds an offset below 2^32 from the window base.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createAddressSpace } from '@heaplab/core';
import { createDlmallocAllocator } from '../src/index.js';

const space47 = () => {
  const space = createAddressSpace({ size: 2 ** 47 });
  space.sbrk(2 ** 33); // another owner's 8 GiB (no frames taken)
  return space;
};

for (const safeLinking of [false, true]) {
  test(`a chunk above 2^32 is split, coalesced with both neighbours and freed (safe-linking ${safeLinking ? 'on' : 'off'})`, () => {
    const space = space47();
    const a = createDlmallocAllocator(space, { tcache: 0, safeLinking });
    const x = a.malloc(5000);
    const y = a.malloc(5000);
    const z = a.malloc(5000);
    const guard = a.malloc(100);
    assert.ok(x > 2 ** 33, `${x}`);
    assert.ok(a.wb > 2 ** 32 && a.heap.base > 2 ** 33);
    space.raw.fill(y, 5000, 0x5a);
    a.free(x);
    a.free(z);
    a.check();
    // x's chunk is in a bin: its links are offsets from the window base, below 2^32.
    const fd = space.raw.u32(x - 16 + 8);
    assert.ok(fd < 2 ** 32 && a.wb + fd >= a.bins.fake0 && a.wb + fd < a.stateEnd, 'x links to its bin head');
    a.free(y); // coalesces with x below and z above
    a.check();
    assert.equal(a.blockAt(y), null);
    // One free chunk of the three: a request of two of them is split off its start.
    const p = a.malloc(10000);
    assert.is(p, x);
    a.check();
    const q = a.malloc(4000); // from the remainder
    assert.ok(q > p && q < guard, `${q}`);
    assert.equal(a.blockAt(q + 10), { base: q, size: a.usableSize(q) });
    a.free(p);
    a.free(q);
    a.free(guard);
    a.check();
    assert.is(a.stats().liveBlocks, 0);
    // Everything merged back into the top, trimmed to the pad.
    assert.ok(a.heap.topSize <= 128 * 1024 + 4096 + 5 * 5024, `${a.heap.topSize}`);
  });
}

test('tcache links above 2^32 stay exact: parked chunks come back last in, first out', () => {
  const space = space47();
  const a = createDlmallocAllocator(space, { safeLinking: true });
  const ps = Array.from({ length: 6 }, () => a.malloc(48));
  assert.ok(ps[0]! > 2 ** 33);
  for (const p of ps) a.free(p);
  a.check();
  for (const p of ps.reverse()) assert.is(a.malloc(48), p);
  a.check();
});

test('a heap that would start below its window falls back to mappings', () => {
  const space = createAddressSpace({ size: 2 ** 47 });
  const other = space.sbrk(2 ** 20);
  const a = createDlmallocAllocator(space);
  space.sbrk(-(2 ** 20)); // the break moves below where the allocator's window starts
  const p = a.malloc(100);
  assert.ok(p > 0 && p >= a.stateEnd, `${p}`);
  assert.is(a.heap.base, 0);
  a.free(p);
  a.check();
  assert.ok(other > 0);
});

test('a second allocator in the same 2^47 space, whose window top is taken, serves every request from mappings', () => {
  const space = createAddressSpace({ size: 2 ** 47 });
  const first = createDlmallocAllocator(space);
  const second = createDlmallocAllocator(space);
  assert.ok(second.stateBase > 2 ** 46, `${second.stateBase}`);
  const ps = [first.malloc(100), second.malloc(100), first.malloc(3000), second.malloc(3000)];
  assert.ok(ps.every((p) => p > 0));
  assert.is(second.heap.base, 0);
  assert.ok(first.heap.base > 0);
  space.raw.fill(ps[1]!, 100, 7);
  first.check();
  second.check();
  first.free(ps[0]!);
  second.free(ps[1]!);
  first.free(ps[2]!);
  second.free(ps[3]!);
  first.check();
  second.check();
  assert.is(second.stats().liveBlocks, 0);
});

test.run();
