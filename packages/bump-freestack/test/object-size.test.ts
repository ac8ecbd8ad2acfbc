/*
 * objectSize (strict object size): the bytes from a pointer to the end of its live block; use-
 * after-free for a class block whose out-of-band state is FREE and for the first byte of a freed
 * large block nothing has mapped since; invalid-free for a block never carved, past a block,
 * inside a freed large block, and outside the allocator.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { raisedCode as raised } from '@heaplab/core/testing';
import { createAddressSpace } from '@heaplab/core';
import { createBumpFreestackAllocator } from '../src/index.js';

const make = () => createBumpFreestackAllocator(createAddressSpace({ size: 64 * 2 ** 20 }));

test('objectSize counts the usable bytes from the pointer to the end of a live block, class and large', () => {
  const a = make();
  const p = a.malloc(40);
  assert.is(a.objectSize(p), a.usableSize(p));
  assert.is(a.objectSize(p + 7), a.usableSize(p) - 7);
  const q = a.malloc(1 << 20);
  assert.is(a.objectSize(q + 4096), a.usableSize(q) - 4096);
});

test('objectSize of a block never carved or of foreign memory is invalid-free', () => {
  const a = make();
  const p = a.malloc(40);
  assert.is(raised(() => a.objectSize(p + 48 * 100)), 'invalid-free', 'a block of the run not carved yet');
  assert.is(raised(() => a.objectSize(16)), 'invalid-free');
});

test('objectSize into a freed class block, or at a freed large block, is use-after-free', () => {
  const a = make();
  const p = a.malloc(40);
  a.malloc(40);
  a.free(p);
  assert.is(raised(() => a.objectSize(p)), 'use-after-free');
  assert.is(raised(() => a.objectSize(p + 20)), 'use-after-free');
  const q = a.malloc(1 << 20);
  a.free(q);
  assert.is(raised(() => a.objectSize(q)), 'use-after-free');
  assert.is(raised(() => a.objectSize(q + 4096)), 'invalid-free', 'the freed large block\'s other pages are forgotten');
});

test.run();
