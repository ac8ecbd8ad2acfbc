/*
 * Trace statistics (src/report/trace-stats.ts) on hand-made event lists whose figures are worked
 * out by hand in the comments: kinds, requests, failures, unknown frees, live peaks, shares and
 * the histogram's buckets and labels.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { chunkSource, chunksOf, type TraceEvent } from '@heaplab/core';
import { bucketLabel, bucketOf, traceStats, traceStatsLines } from '../../src/report/trace-stats.js';

const ev = (kind: TraceEvent['kind'], id: number, size = 0, arg = 0): TraceEvent => ({ kind, id, size, arg, site: null });

test('size buckets, share under 100 B and peak live bytes match the hand count, across chunk borders', async () => {
  const events = [ev('a', 1, 10), ev('a', 2, 200), ev('f', 1), ev('r', 3, 300, 2), ev('c', 4, 0), ev('a', 5, 99), ev('f', 3)];
  const s = await traceStats(chunkSource('hand', chunksOf(events, 'hand', 3)));
  assert.is(s.events, 7);
  assert.equal(s.byKind, { a: 3, c: 1, m: 0, r: 1, f: 2 });
  assert.is(s.requests, 5);
  assert.is(s.under100, 3 / 5);
  // live bytes: 10, 210, 200, 300 (realloc 200 → 300), 300, 399, 99; blocks: 1, 2, 1, 1, 2, 3, 2
  assert.is(s.peakLiveBytes, 399);
  assert.is(s.peakLiveBlocks, 3);
  assert.equal(s.liveAtEnd, { blocks: 2, bytes: 99 });
  assert.equal(s.sizes.map((b) => [b.lo, b.hi, b.count]), [[0, 0, 1], [1, 1, 0], [2, 3, 0], [4, 7, 0], [8, 15, 1], [16, 31, 0], [32, 63, 0], [64, 127, 1], [128, 255, 1], [256, 511, 1]]);
});

test('a failed realloc keeps its old block live, realloc to 0 frees it and is not a request, unknown frees are counted', async () => {
  const events = [
    ev('a', 1, 1000), // live 1000
    ev('r', 0, 5000, 1), // failed request: 1 stays live
    ev('m', 2, 131072, 64), // live 1000 + 131072
    ev('a', 0, 1 << 30), // failed request
    ev('r', 0, 0, 1), // frees 1: live 131072
    ev('f', 77), // unknown
    ev('r', 3, 2048, 88), // old 88 unknown; 3 live: 133120
    ev('f', 2),
    ev('f', 3),
  ];
  const s = await traceStats(chunkSource('edge', chunksOf(events, 'edge', 4)));
  assert.is(s.requests, 5);
  assert.is(s.failed, 2);
  assert.is(s.unknownFrees, 2);
  assert.is(s.peakLiveBytes, 131072 + 2048); // 132072 after m, then 131072 + 2048 after the last realloc
  assert.is(s.peakLiveBlocks, 2);
  assert.equal(s.liveAtEnd, { blocks: 0, bytes: 0 });
  assert.is(s.under100, 0);
  assert.is(s.under1k, 1 / 5); // 1000
  assert.is(s.atLeast128k, 2 / 5); // 131072 and 2^30
  assert.is(s.largest, 2 ** 30);
  assert.is(s.sizes[0]!.lo, 512);
  assert.is(s.sizes.at(-1)!.lo, 2 ** 30);
  assert.is(s.sizes.reduce((n, b) => n + b.count, 0), 5);
});

test('an id allocated again while live replaces it and is counted', async () => {
  const s = await traceStats(chunkSource('dup', chunksOf([ev('a', 5, 100), ev('a', 5, 40), ev('f', 5)], 'dup')));
  assert.is(s.reusedLiveIds, 1);
  assert.is(s.peakLiveBytes, 100);
  assert.equal(s.liveAtEnd, { blocks: 0, bytes: 0 });
});

test('an empty source has no requests, NaN shares and no buckets', async () => {
  const s = await traceStats(chunkSource('none', []));
  assert.is(s.requests, 0);
  assert.ok(Number.isNaN(s.under100));
  assert.equal(s.sizes, []);
  assert.is(traceStatsLines('none', s).length, 5);
});

test('bucket numbers and labels: 0, 1, 2–3, …, 512–1023, then half-open ranges in K, M, G', () => {
  assert.equal([0, 1, 2, 3, 4, 1023, 1024, 1025].map(bucketOf), [0, 1, 2, 2, 3, 10, 11, 11]);
  const label = (b: number): string => bucketLabel({ lo: b === 0 ? 0 : 2 ** (b - 1), hi: b === 0 ? 0 : 2 ** b - 1, count: 0 });
  assert.equal([0, 1, 2, 10, 11, 21, 31].map(label), ['0', '1', '2–3', '512–1023', '[1K, 2K)', '[1M, 2M)', '[1G, 2G)']);
});

test('the terminal histogram gives the largest bucket the full bar and every bucket its share and count', async () => {
  const events = [ev('a', 1, 8), ev('a', 2, 9), ev('a', 3, 12), ev('a', 4, 40)];
  const lines = traceStatsLines('t', await traceStats(chunkSource('t', chunksOf(events, 't'))), 10);
  assert.is(lines.at(-4), '  request sizes (bytes):');
  assert.is(lines.at(-3), '   8–15 │██████████   75.0% 3');
  assert.is(lines.at(-2), '  16–31 │                0% 0');
  assert.is(lines.at(-1), '  32–63 │███          25.0% 1');
});

test.run();
