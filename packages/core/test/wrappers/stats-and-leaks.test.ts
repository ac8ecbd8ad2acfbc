/*
 * The stats wrapper's per-size histogram (16-byte buckets to 1 KiB, then powers of two), and the
 * leak report: live blocks grouped by site, largest first, from a tracing or checking wrapper.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { bucketRange, createAddressSpace, createCheckingAllocator, createStatsAllocator, createTracingAllocator, formatLeakReport, leakReport, leaksOf, sizeBucket, withAllocationSite } from '../../src/index.js';
import { TinyAllocator } from '../fixtures/tiny-allocator.js';

test('buckets are computed: every size falls in its bucket range', () => {
  for (const size of [0, 1, 16, 17, 100, 1024, 1025, 2048, 2049, 65536, 2 ** 32]) {
    const r = bucketRange(sizeBucket(size));
    assert.ok(r.min <= size && size <= r.max, `${size} in ${r.min}…${r.max}`);
  }
});

test('the histogram counts requests by kind and live blocks by size', () => {
  const space = createAddressSpace({ size: 64 * 2 ** 20 });
  const s = createStatsAllocator(new TinyAllocator(space, 'none', 4 * 2 ** 20));
  const small = Array.from({ length: 98 }, (_, k) => s.malloc(1 + (k % 99)));
  s.calloc(2, 1000);
  s.memalign(4096, 5000);
  s.realloc(small[0]!, 40);
  for (const p of small.slice(1, 50)) s.free(p);
  const rows = s.histogram();
  const sum = (f: (r: (typeof rows)[number]) => number): number => rows.reduce((t, r) => t + f(r), 0);
  assert.is(sum((r) => r.malloc), 98);
  assert.is(sum((r) => r.calloc + r.memalign + r.realloc), 3);
  assert.is(sum((r) => r.live), 98 + 2 - 49);
  assert.is(rows.find((r) => r.min === 1 && r.max === 16)!.malloc, 16);
  assert.is(rows.find((r) => r.max === 8192)!.memalign, 1);
  assert.ok(Math.abs(s.shareAtMost(112) - 99 / 101) < 1e-9, `share ${s.shareAtMost(112)}`);
});

test('the leak report groups live blocks by site, largest first', () => {
  const rows = leakReport([
    { size: 10, site: 'a' },
    { size: 500, site: 'b' },
    { size: 20, site: 'a' },
    { size: 30, site: null },
    { size: 30, site: 'c' },
  ]);
  assert.equal(rows.map((r) => [r.site, r.count, r.bytes, r.largest]), [['b', 1, 500, 500], ['a', 2, 30, 20], ['c', 1, 30, 30], [null, 1, 30, 30]]);
  assert.is(formatLeakReport([]), 'no leaks: every block was freed\n');
  assert.is(formatLeakReport(rows, 2).split('\n')[0], '5 live blocks, 590 bytes, from 4 sites:');
  assert.match(formatLeakReport(rows, 2), /… 2 more sites/);
});

test('leaksOf finds the site recorder in a stack, and says when there is none', () => {
  const space = createAddressSpace({ size: 64 * 2 ** 20 });
  const stack = createStatsAllocator(createTracingAllocator(new TinyAllocator(space, 'none', 2 ** 20)));
  withAllocationSite('cache.c:10', () => [stack.malloc(100), stack.malloc(100)]);
  const gone = withAllocationSite('tmp.c:5', () => stack.malloc(1000));
  withAllocationSite('big.c:1', () => stack.malloc(4000));
  stack.free(gone);
  assert.equal(leaksOf(stack).map((r) => `${r.site}:${r.count}:${r.bytes}`), ['big.c:1:1:4000', 'cache.c:10:2:200']);
  const bare = createCheckingAllocator(new TinyAllocator(space, 'none', 2 ** 20), { sites: 'given' });
  bare.malloc(5);
  assert.equal(leaksOf(bare).map((r) => r.site), [null]);
  assert.throws(() => leaksOf(new TinyAllocator(space, 'none', 2 ** 20)), /records no allocation sites: wrap it with tracing or checking/);
});

test.run();
