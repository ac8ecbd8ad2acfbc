import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { raisedCode as code } from '../../src/testing/index.js';
import { createAddressSpace, createCheckingAllocator, createLockedAllocator, createStatsAllocator, createTracingAllocator } from '../../src/index.js';
import { CanarySlots } from '../fixtures/canary-slots.js';
import { TinyAllocator } from '../fixtures/tiny-allocator.js';

test('objectSize is the usable bytes from the pointer to the end of its live block', () => {
  const a = new CanarySlots(createAddressSpace({ size: 16 * 2 ** 20 }));
  const p = a.malloc(20);
  assert.is(a.objectSize(p), 56);
  assert.is(a.objectSize(p + 10), 46);
  assert.is(a.objectSize(p + 55), 1);
  assert.is(a.objectSize(0), 0);
});

test('objectSize past a block or outside any block is invalid-free', () => {
  const a = new CanarySlots(createAddressSpace({ size: 16 * 2 ** 20 }));
  const p = a.malloc(20);
  assert.is(code(() => a.objectSize(p + 56)), 'invalid-free', 'the canary is not the object');
  assert.is(code(() => a.objectSize(p + 64)), 'invalid-free', 'a slot never used');
  assert.is(code(() => a.objectSize(16)), 'invalid-free', 'no mapping of the allocator');
  assert.is(code(() => a.objectSize(-1)), 'invalid-free', 'not an address');
});

test('objectSize into a freed block is use-after-free where the allocator can tell, invalid-free where it cannot', () => {
  const a = new CanarySlots(createAddressSpace({ size: 16 * 2 ** 20 }));
  const p = a.malloc(20);
  a.free(p);
  assert.is(code(() => a.objectSize(p)), 'use-after-free');
  assert.is(code(() => a.objectSize(p + 8)), 'use-after-free');
  const t = new TinyAllocator(createAddressSpace({ size: 16 * 2 ** 20 }));
  const q = t.malloc(32);
  t.malloc(32);
  t.free(q);
  assert.is(code(() => t.objectSize(q)), 'invalid-free', 'the base alone cannot tell a freed block');
});

test('every wrapper passes objectSize through; checking answers in its own blocks', () => {
  const wrappers = [createLockedAllocator, createStatsAllocator, (x: CanarySlots) => createTracingAllocator(x)];
  for (const wrap of wrappers) {
    const w = wrap(new CanarySlots(createAddressSpace({ size: 16 * 2 ** 20 })));
    const p = w.malloc(20);
    assert.is(w.objectSize(p + 4), 52, w.identity.name);
    w.free(p);
    assert.is(code(() => w.objectSize(p)), 'use-after-free', w.identity.name);
  }
  const c = createCheckingAllocator(new TinyAllocator(createAddressSpace({ size: 16 * 2 ** 20 })), { sites: 'given' });
  const p = c.malloc(20);
  assert.is(c.objectSize(p + 4), 16, 'checking: to the end of the requested size');
  assert.is(code(() => c.objectSize(p + 20)), 'invalid-free', 'checking: the red zone is not the object');
  c.free(p);
  assert.is(code(() => c.objectSize(p)), 'use-after-free', 'checking: its own freed block');
});

test.run();
