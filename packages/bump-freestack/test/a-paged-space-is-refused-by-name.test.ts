/*
 * bump-freestack keeps 32-bit addresses in its free stacks and page map and reads the space's
 * buffer directly: over a paged space (above 4 GiB) it refuses at construction, naming why,
 * instead of writing into the space's header; a flat 4 GiB space works.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createAddressSpace } from '@heaplab/core';
import { createBumpFreestackAllocator } from '../src/index.js';

test('a 2^47 space is refused with a message naming the 4 GiB limit', () => {
  assert.throws(() => createBumpFreestackAllocator(createAddressSpace({ size: 2 ** 47 })), /needs a flat space of at most 4 GiB/);
});

test('a flat 4 GiB space is accepted', () => {
  const a = createBumpFreestackAllocator(createAddressSpace({ size: 2 ** 32 }));
  const p = a.malloc(100);
  assert.ok(p > 0);
  a.free(p);
  a.check();
});

test.run();
