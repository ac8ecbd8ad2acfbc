/*
 * In a 2^47 space the heap stores 32-bit handles from the handle base 2^47 − 2^32 (layout.ts), so
 * everything it maps lies in the top 4 GiB of the space: large blocks there too, and once the
 * window is full a request gets 0 (never a block whose handle would not fit), the heap stays
 * consistent, and freeing makes room again.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createAddressSpace } from '@heaplab/core';
import { createBumpFreestackAllocator } from '../src/index.js';

const GiB = 2 ** 30;
const BASE = 2 ** 47 - 2 ** 32;

test('1 GiB blocks fill the window, the next one gets 0, and a free makes room again', () => {
  const space = createAddressSpace({ size: 2 ** 47 });
  const a = createBumpFreestackAllocator(space);
  assert.ok(a.heapAddress > BASE);
  const got: number[] = [];
  for (let i = 0; i < 5; i++) {
    const p = a.malloc(GiB - 4096);
    if (p === 0) break;
    assert.ok(p > BASE && p + GiB <= 2 ** 47, `block ${p.toString(16)} in the window`);
    space.raw.setU8(p + GiB - 4097, 7);
    got.push(p);
  }
  assert.ok(got.length >= 3 && got.length < 5, `${got.length} blocks of 1 GiB fit`);
  assert.is(a.malloc(GiB - 4096), 0, 'no room left in the window');
  const small = a.malloc(64);
  assert.ok(small === 0 || small > BASE, 'a small block, when one fits, is in the window too');
  a.check();
  a.free(got.pop()!);
  const p = a.malloc(GiB - 4096);
  assert.ok(p > BASE, 'the freed gigabyte serves again');
  a.check();
});

test.run();
