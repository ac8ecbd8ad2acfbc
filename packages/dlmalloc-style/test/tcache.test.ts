// The tcache (best fit): small frees are parked, still marked in use, in per-size LIFO lists
// of at most `tcache` chunks, and the next request of that size pops the last one.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createAddressSpace } from '@heaplab/core';
import { createDlmallocAllocator } from '../src/index.js';

test('a freed small chunk is reused last-in first-out, without coalescing', () => {
  const a = createDlmallocAllocator(createAddressSpace({ size: 64 * 2 ** 20 }));
  const x = a.malloc(40);
  const y = a.malloc(40);
  const z = a.malloc(40);
  a.free(x);
  a.free(y); // x and y touch: with no tcache they would merge
  a.check();
  assert.is(a.blockAt(x), null, 'a parked chunk is not a live block');
  assert.is(a.malloc(40), y);
  assert.is(a.malloc(40), x);
  for (const p of [x, y, z]) a.free(p);
  a.check();
});

test('each list holds at most `tcache` chunks; the rest are freed and coalesced', () => {
  const a = createDlmallocAllocator(createAddressSpace({ size: 64 * 2 ** 20 }), { tcache: 2 });
  const ps = Array.from({ length: 5 }, () => a.malloc(24));
  const guard = a.malloc(24);
  for (const p of ps) a.free(p);
  a.check();
  // Two parked (ps[0], ps[1]); ps[2..4] merged into one free chunk of 3 × 48 bytes.
  assert.is(a.malloc(3 * 48 - 16), ps[2], 'the three chunks past the tcache limit coalesced');
  assert.is(a.malloc(24), ps[1]);
  assert.is(a.malloc(24), ps[0]);
  a.free(guard);
  a.check();
});

test('a double free of a parked chunk is detected; first and next fit never park', () => {
  const a = createDlmallocAllocator(createAddressSpace({ size: 64 * 2 ** 20 }));
  const p = a.malloc(64);
  a.free(p);
  assert.throws(() => a.free(p), /double-free.*tcache/);
  for (const policy of ['first-fit', 'next-fit'] as const) {
    const b = createDlmallocAllocator(createAddressSpace({ size: 64 * 2 ** 20 }), { policy });
    assert.is(b.tcacheMax, 0);
  }
});

test.run();
