/*
 * The checking wrapper keeps its shadow (slot columns, pointer maps, free history, site table) in
 * JavaScript objects: stats().externalBytes reports them over the inner allocator's own, and they
 * grow with the live blocks the Maps hold.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createAddressSpace, createCheckingAllocator } from '../../src/index.js';
import { CanarySlots } from '../fixtures/canary-slots.js';

test('checking reports its shadow as bytes outside the space, over the inner allocator\'s', () => {
  const inner = new CanarySlots(createAddressSpace({ size: 16 * 2 ** 20 }));
  const own = inner.stats().externalBytes;
  assert.ok(own > 0);
  const c = createCheckingAllocator(inner, { sites: 'given' });
  const empty = c.stats().externalBytes;
  assert.ok(empty > own, `${empty} > ${own}`);
  for (let k = 0; k < 10; k++) c.malloc(8);
  assert.ok(c.stats().externalBytes >= empty + 10 * 2 * 40, 'two Map entries per live block');
});

test.run();
