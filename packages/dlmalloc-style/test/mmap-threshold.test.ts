// Requests at or above the mmap threshold get their own mapping and their free is a munmap;
// the dynamic rule raises the threshold to a freed mmapped chunk's size, as glibc does.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createAddressSpace } from '@heaplab/core';
import { createDlmallocAllocator } from '../src/index.js';

const KiB = 1024;

test('a request at the threshold goes to mmap and its free to munmap', () => {
  const space = createAddressSpace({ size: 64 * 2 ** 20 });
  const a = createDlmallocAllocator(space);
  assert.is(a.mmapThreshold, 128 * KiB);
  const below = a.malloc(128 * KiB - 1);
  const c0 = space.stats().calls;
  const p = a.malloc(128 * KiB);
  const c1 = space.stats().calls;
  assert.is(c1.mmap - c0.mmap, 1, 'one mmap for the request at the threshold');
  assert.ok(p < space.stats().brk === false, 'the block is not in the heap');
  assert.ok(below < space.stats().brk, 'a request just below the threshold is served by the heap');
  assert.equal(a.mmapped(), { chunks: 1, bytes: 132 * KiB });
  a.free(p);
  const c2 = space.stats().calls;
  assert.is(c2.munmap - c1.munmap, 1, 'its free is one munmap');
  assert.equal(a.mmapped(), { chunks: 0, bytes: 0 });
  a.free(below);
  a.check();
});

test('the dynamic threshold rises after an mmapped chunk is freed, and the trim threshold doubles it', () => {
  const space = createAddressSpace({ size: 64 * 2 ** 20 });
  const a = createDlmallocAllocator(space);
  const p = a.malloc(200 * KiB);
  a.free(p);
  const chunk = Math.ceil((200 * KiB + 16) / 4096) * 4096;
  assert.is(a.mmapThreshold, chunk);
  assert.is(a.trimThreshold, 2 * chunk);
  const mmaps = space.stats().calls.mmap;
  const q = a.malloc(200 * KiB);
  assert.is(space.stats().calls.mmap, mmaps, 'the same request now comes from the heap');
  assert.ok(q < space.stats().brk);
  a.free(q);
  a.check();
});

test('the dynamic threshold stops at 32 MiB', () => {
  const space = createAddressSpace({ size: 128 * 2 ** 20 });
  const a = createDlmallocAllocator(space);
  a.free(a.malloc(40 * 2 ** 20));
  assert.is(a.mmapThreshold, 128 * KiB);
});

test('a threshold given as an option is fixed (the dynamic rule is off)', () => {
  const space = createAddressSpace({ size: 64 * 2 ** 20 });
  const a = createDlmallocAllocator(space, { mmapThreshold: 64 * KiB });
  const p = a.malloc(64 * KiB);
  assert.is(a.mmapped().chunks, 1);
  a.free(p);
  assert.is(a.mmapThreshold, 64 * KiB);
  a.free(a.malloc(300 * KiB));
  assert.is(a.mmapThreshold, 64 * KiB);
  a.check();
});

test('when sbrk cannot grow the heap, requests fall back to their own mappings and the heap stays usable', () => {
  const space = createAddressSpace({ size: 64 * 2 ** 20 });
  const a = createDlmallocAllocator(space);
  const first = a.malloc(100);
  const wall = space.mmap(space.stats().brk, space.pageSize, 3, 0x100000); // MAP_FIXED_NOREPLACE just above the break
  assert.is(wall, space.stats().brk);
  const ps: number[] = [];
  for (let k = 0; k < 8; k++) ps.push(a.malloc(100 * KiB));
  assert.ok(ps.every((p) => p !== 0));
  assert.ok(ps.some((p) => p > wall), 'some requests were served by mappings above the wall');
  assert.ok(a.mmapped().chunks > 0);
  a.check();
  for (const p of ps) a.free(p);
  const again = a.malloc(50);
  assert.ok(again !== 0 && again < wall, 'the heap serves small requests again');
  a.free(again);
  a.free(first);
  a.check();
});

test.run();
