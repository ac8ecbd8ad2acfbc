/*
 * Reuse order and the caches: stack order hands back the last freed block first; FIFO the
 * oldest; a full cache pushes its older half onto the shared stack, flush() empties it, and the
 * census counts each block in exactly one place.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createAddressSpace } from '@heaplab/core';
import { createBumpFreestackAllocator } from '../src/index.js';

const space = (): ReturnType<typeof createAddressSpace> => createAddressSpace({ size: 32 * 2 ** 20, backing: 'shared' });

test('stack order: the last block freed is the first handed out', () => {
  const a = createBumpFreestackAllocator(space());
  const ps = Array.from({ length: 8 }, () => a.malloc(40));
  for (const p of ps) a.free(p);
  assert.equal(Array.from({ length: 8 }, () => a.malloc(40)), [...ps].reverse());
});

test('FIFO: the oldest freed block is handed out first', () => {
  const a = createBumpFreestackAllocator(space(), { fifo: true });
  const ps = Array.from({ length: 8 }, () => a.malloc(40));
  for (const p of ps) a.free(p);
  assert.equal(Array.from({ length: 8 }, () => a.malloc(40)), ps);
});

test('a full cache pushes its older half onto the shared stack; flush() pushes the rest', () => {
  const a = createBumpFreestackAllocator(space());
  const cap = a.classes[0]!.cacheCap;
  const ps = Array.from({ length: cap + 1 }, () => a.malloc(16));
  let c = a.census();
  const carvedFree = c.cachedBlocks; // carving leaves the rest of a batch in the cache
  for (const p of ps) a.free(p);
  c = a.census();
  assert.is(c.listedBlocks, cap / 2, 'older half on the stack');
  assert.is(c.cachedBlocks + c.listedBlocks, ps.length + carvedFree);
  a.flush();
  c = a.census();
  assert.is(c.cachedBlocks, 0);
  assert.is(c.listedBlocks, ps.length + carvedFree);
});

test.run();
