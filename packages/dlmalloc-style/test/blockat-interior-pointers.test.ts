// blockAt answers for interior addresses of heap and mmapped blocks, and null for headers,
// free chunks, the top and memory that is not ours.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createAddressSpace } from '@heaplab/core';
import { createDlmallocAllocator } from '../src/index.js';

test('every address inside a heap block maps to that block; headers and free chunks to null', () => {
  const space = createAddressSpace({ size: 64 * 2 ** 20 });
  const a = createDlmallocAllocator(space);
  const ps = [10, 0, 100, 5000, 0, 33].map((n) => a.malloc(n));
  const gone = a.malloc(200);
  const keep = a.malloc(8);
  a.free(gone);
  for (const p of ps) {
    const u = a.usableSize(p);
    for (let addr = p; addr < p + Math.max(u, 1); addr += 7) assert.equal(a.blockAt(addr), { base: p, size: u }, `addr ${addr - p} into ${p}`);
  }
  // The header of a block (16 bytes below it) belongs to no block unless a size-0 block ends there.
  assert.is(a.blockAt(ps[2]! - 8), null);
  assert.equal(a.blockAt(ps[2]! - 16), { base: ps[2]! - 16, size: 0 }, 'the size-0 block right below ends where this header starts');
  assert.is(a.blockAt(gone), null, 'a freed chunk');
  assert.is(a.blockAt(gone + 100), null);
  assert.is(a.blockAt(a.heap.top + 64), null, 'the top chunk');
  assert.ok(a.blockAt(keep));
  a.check();
});

test('interior addresses of an mmapped block, including a memaligned one, map to it', () => {
  const space = createAddressSpace({ size: 64 * 2 ** 20 });
  const a = createDlmallocAllocator(space);
  const big = a.malloc(300_000);
  const aligned = a.memalign(65536, 200_000);
  assert.is(aligned % 65536, 0);
  for (const p of [big, aligned]) {
    const u = a.usableSize(p);
    for (const off of [0, 1, 4095, 4096, 100_000, u - 1]) assert.equal(a.blockAt(p + off), { base: p, size: u });
    assert.is(a.blockAt(p - 1), null);
  }
  assert.is(a.blockAt(space.size - 1), null, 'the state mapping is not a block');
  a.free(big);
  assert.is(a.blockAt(big + 10), null);
  a.check();
});

test.run();
