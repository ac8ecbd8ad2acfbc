import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { raisedCode as code } from '../../src/testing/index.js';
import { createAddressSpace } from '../../src/index.js';
import { CanarySlots } from '../fixtures/canary-slots.js';

function setup() {
  const space = createAddressSpace({ size: 16 * 2 ** 20 });
  const a = new CanarySlots(space);
  const p = a.malloc(24);
  space.store8(p + a.usableSize(p), 0x41); // one byte past the usable end: the canary
  return { space, a, p };
}

test('realloc of a block whose canary is corrupted raises what free raises and allocates nothing', () => {
  const { a, p, space } = setup();
  const before = { ...a.stats(), calls: undefined };
  const mapped = space.stats().mapped;
  assert.is(code(() => a.realloc(p, 40)), 'canary-corrupted');
  assert.equal({ ...a.stats(), calls: undefined }, before, 'live blocks and bytes unchanged');
  assert.is(space.stats().mapped, mapped);
  assert.is(code(() => a.free(p)), 'canary-corrupted', 'the block is still there, still corrupted');
});

test('realloc of a freed block is double-free and allocates nothing', () => {
  const space = createAddressSpace({ size: 16 * 2 ** 20 });
  const a = new CanarySlots(space);
  const p = a.malloc(8);
  const q = a.malloc(8);
  a.free(p);
  assert.is(code(() => a.realloc(p, 16)), 'double-free');
  assert.is(a.stats().liveBlocks, 1);
  assert.is(a.usableSize(q), 56);
});

test.run();
