/*
 * objectSize (strict object size, as hardened_malloc's malloc_object_size) with both presets:
 * the bytes from a pointer to the end of its live block; use-after-free for a slot handed out and
 * freed since its slab was made writable (quarantined or free again) and for a large region in
 * the region quarantine; invalid-free for a canary, a slot never handed out, a guard page, memory
 * outside the allocator.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { raisedCode as raised } from '@heaplab/core/testing';
import { createAddressSpace } from '@heaplab/core';
import { createZonedAllocator, type PresetName } from '../src/index.js';

function make(preset: PresetName) {
  const space = createAddressSpace({ size: 256 * 2 ** 20 });
  return { space, a: createZonedAllocator(space, { preset, seed: 3, slotRandomize: false }) };
}

for (const preset of ['default', 'light'] as PresetName[]) {
  test(`objectSize counts the usable bytes from the pointer to the end of a live block, small and large (${preset})`, () => {
    const { a } = make(preset);
    const p = a.malloc(100);
    const u = a.usableSize(p);
    assert.is(a.objectSize(p), u);
    assert.is(a.objectSize(p + 40), u - 40);
    const q = a.malloc(300_000);
    assert.is(a.objectSize(q + 1000), a.usableSize(q) - 1000);
    assert.is(a.objectSize(a.malloc(0)), 0);
  });

  test(`objectSize of a canary, a slot never handed out, a guard page or foreign memory is invalid-free (${preset})`, () => {
    const { a, space } = make(preset);
    const p = a.malloc(24);
    assert.is(raised(() => a.objectSize(p + a.usableSize(p))), 'invalid-free', 'the canary');
    const next = a.malloc(24);
    assert.is(raised(() => a.objectSize(Math.max(p, next) + 32 * 5)), 'invalid-free', 'a slot of the slab never handed out');
    const q = a.malloc(300_000);
    assert.is(raised(() => a.objectSize(q + a.usableSize(q))), 'invalid-free', 'the guard page after a large block');
    const other = space.mmap(0, 4 * space.pageSize, 3, 0);
    assert.is(raised(() => a.objectSize(other + 16)), 'invalid-free', 'a mapping the program made');
  });

  test(`objectSize into a freed slot or a quarantined large region is use-after-free (${preset})`, () => {
    const { a } = make(preset);
    const p = a.malloc(24);
    a.malloc(24);
    a.free(p);
    assert.is(raised(() => a.objectSize(p)), 'use-after-free');
    assert.is(raised(() => a.objectSize(p + 8)), 'use-after-free');
    const q = a.malloc(300_000);
    a.free(q);
    assert.is(raised(() => a.objectSize(q + 4096)), 'use-after-free');
  });
}

test.run();
