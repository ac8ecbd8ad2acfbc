/*
 * objectSize (strict object size): the bytes from a pointer to the end of its live block;
 * use-after-free for a block among the last `freeHistory` frees whose pages are still unmapped;
 * invalid-free for a header, a guard page, an address mapped again since, and foreign memory.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { raisedCode as raised } from '@heaplab/core/testing';
import { createAddressSpace } from '@heaplab/core';
import { createMmapPagesAllocator } from '../src/index.js';

for (const guardPage of [false, true]) {
  const make = () => createMmapPagesAllocator(createAddressSpace({ size: 64 * 2 ** 20 }), { guardPage });

  test(`objectSize counts the usable bytes from the pointer to the end of a live block (guardPage ${guardPage})`, () => {
    const a = make();
    const p = a.malloc(100);
    assert.is(a.objectSize(p), a.usableSize(p));
    assert.is(a.objectSize(p + 50), a.usableSize(p) - 50);
  });

  test(`objectSize of a header, past a block or of foreign memory is invalid-free (guardPage ${guardPage})`, () => {
    const a = make();
    const p = a.malloc(100);
    const base = Math.floor(p / 4096) * 4096;
    if (base !== p) assert.is(raised(() => a.objectSize(base)), 'invalid-free', 'the header');
    assert.is(raised(() => a.objectSize(p + a.usableSize(p))), 'invalid-free', 'past the block');
    assert.is(raised(() => a.objectSize(16)), 'invalid-free');
  });

  test(`objectSize into a recently freed block, while nothing maps it again, is use-after-free (guardPage ${guardPage})`, () => {
    const a = make();
    const p = a.malloc(100);
    a.free(p);
    assert.is(raised(() => a.objectSize(p)), 'use-after-free');
    assert.is(raised(() => a.objectSize(p + 10)), 'use-after-free');
  });
}

test('objectSize cannot tell a freed block once the history has moved on (freeHistory 0)', () => {
  const a = createMmapPagesAllocator(createAddressSpace({ size: 64 * 2 ** 20 }), { freeHistory: 0 });
  const p = a.malloc(100);
  a.free(p);
  assert.is(raised(() => a.objectSize(p)), 'invalid-free');
});

test.run();
