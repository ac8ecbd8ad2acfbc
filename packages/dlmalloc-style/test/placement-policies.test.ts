// The placement policies choose different holes where they should: best fit the smallest that
// fits, first fit the lowest address, next fit the first at or after where the last search ended.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createAddressSpace } from '@heaplab/core';
import { createDlmallocAllocator, type PlacementPolicy } from '../src/index.js';

/** Three holes of chunk sizes 512, 256, 512 (in address order) between in-use separators. */
function holes(policy: PlacementPolicy) {
  const a = createDlmallocAllocator(createAddressSpace({ size: 64 * 2 ** 20 }), { policy, tcache: 0 });
  const h1 = a.malloc(496);
  a.malloc(16);
  const h2 = a.malloc(240);
  a.malloc(16);
  const h3 = a.malloc(496);
  a.malloc(16);
  a.free(h1);
  a.free(h2);
  a.free(h3);
  a.check();
  return { a, h1, h2, h3 };
}

test('a 256-byte chunk: best fit takes the 256 hole, first and next fit the first 512 hole', () => {
  const want: Record<PlacementPolicy, 'h1' | 'h2'> = { 'best-fit': 'h2', 'first-fit': 'h1', 'next-fit': 'h1' };
  for (const policy of Object.keys(want) as PlacementPolicy[]) {
    const t = holes(policy);
    assert.is(t.a.malloc(240), t[want[policy]], policy);
    t.a.check();
  }
});

test('after a hole is reused and freed again, first fit goes back to it and next fit moves on', () => {
  const want: Record<PlacementPolicy, 'h1' | 'h2'> = { 'best-fit': 'h2', 'first-fit': 'h1', 'next-fit': 'h2' };
  for (const policy of Object.keys(want) as PlacementPolicy[]) {
    const t = holes(policy);
    const m = t.a.malloc(496);
    assert.is(m, policy === 'best-fit' ? m : t.h1);
    t.a.free(m);
    assert.is(t.a.malloc(112), t[want[policy]], policy);
    t.a.check();
  }
});

test('best fit reuses the remainder of its last small split first (the designated victim)', () => {
  const t = holes('best-fit');
  const p = t.a.malloc(16); // no exact bin: the smallest hole (h2) is split, its remainder becomes the victim
  assert.is(p, t.h2);
  assert.is(t.a.malloc(16), t.h2 + 32, 'the next small request is carved from the victim');
  t.a.check();
});

test.run();
