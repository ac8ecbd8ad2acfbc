/*
 * Replay figures on a hand-made trace, compared with values worked out by hand. PageAllocator
 * gives every block its own pages and writes nothing itself, so "used" is the pages the program
 * writes: speed touch writes the first and last byte of each block, footprint touch every page.
 *
 *   event  trace          pages mapped  resident after (speed)   live after
 *   0      a 1 10000      3             2 (first, last)          10000      ← peak live
 *   1      f 1            0             0                        0
 *   2      a 2 100        1             1                        100
 *   3      a 3 100        2             2                        200
 *   4      a 4 100        3             3                        300        ← peak used (first)
 *   5      r 6 2 300      3 (4 inside)  3 (new page; old gone)   500
 *   6      a 7 2000000    3             3   fails: above the cap 500
 *   7      f 7            3             3   nothing to free      500
 *   8      f 99           —             —   never allocated: not replayed
 *   9      a 0 50         —             —   failed when recorded: not replayed
 *
 * M1 = mean over replayed events with live > 0 of used/live
 *    = (8192/10000 + 4096/100 + 8192/200 + 12288/300 + 3 × 12288/500) / 7 = 197.4272 / 7
 * M2 = 8192 / 10000 = 0.8192     M3 = 12288 / 300 = 40.96     M4 = 12288 / 10000 = 1.2288
 * internal fragmentation at the most live (event 0): usable 12288 / requested 10000 − 1 = 0.2288
 * syscalls: mmap at 0, 2, 3, 4, 5 = 5; munmap at 1, 5 = 2. Peak mapped: 4 pages, inside the realloc.
 */

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { chunkSource, chunksOf, fileSource, parseTrace, prepareReplay, replay, type ReplayResult } from '../../src/index.js';
import { PageAllocator } from './fixtures/page-allocator.js';

const TRACE = `# heaplab-trace v1 by-hand
a 1 10000
f 1
a 2 100
a 3 100
a 4 100
r 6 2 300
a 7 2000000
f 7
f 99
a 0 50
`;

const P = 4096;
const space = { size: 2 ** 26 };

function close(actual: number, expected: number, what: string): void {
  assert.ok(Math.abs(actual - expected) < 1e-9 * Math.max(1, Math.abs(expected)), `${what}: ${actual} ≠ ${expected}`);
}

async function run(touch: 'speed' | 'footprint', sampleEvery = 1, chunkEvents = 65536): Promise<ReplayResult> {
  const chunks = parseTrace(TRACE, 'by-hand.trace', { chunkEvents }).chunks;
  return replay({ source: chunkSource('by-hand', chunks), allocator: (s) => new PageAllocator(s), touch, sampleEvery, space });
}

test('live, used and the event of each peak match the hand-worked values', async () => {
  const r = await run('speed');
  assert.is(r.events, 10);
  assert.is(r.replayed, 8);
  assert.equal(r.live, { peak: 10000, peakEvent: 0, final: 500 });
  assert.equal(r.used, { peak: 3 * P, peakEvent: 4, final: 3 * P, atPeakLive: 2 * P });
  assert.is(r.liveAtPeakUsed, 300);
});

test('M1, M2, M3, M4 match the hand-worked values', async () => {
  const r = await run('speed');
  close(r.m1, 197.4272 / 7, 'M1');
  close(r.m2, 0.8192, 'M2');
  close(r.m3, 40.96, 'M3');
  close(r.m4, 1.2288, 'M4');
});

test('internal fragmentation is usable over requested at the most live sample', async () => {
  const r = await run('speed');
  assert.is(r.internal.event, 0);
  assert.is(r.internal.requested, 10000);
  assert.is(r.internal.usable, 3 * P);
  close(r.internal.ratio, 0.2288, 'internal');
});

test('syscalls, mapped and committed peaks, failures and calls by kind', async () => {
  const r = await run('speed');
  assert.equal(r.syscalls, { brk: 0, mmap: 5, munmap: 2, mprotect: 0, madvise: 0, total: 7 });
  assert.equal(r.mapped, { peak: 4 * P, final: 3 * P });
  assert.equal(r.committed, { peak: 4 * P, final: 3 * P });
  assert.is(r.failures, 1);
  assert.equal(r.counts, { malloc: 5, calloc: 0, memalign: 0, realloc: 1, free: 2 });
  assert.equal(r.anomalies, { failedRequests: 1, unknownIds: 1, reusedLiveIds: 0, firstUnknown: ['event 8 (line 10): f 99'] });
});

test('footprint touch writes every page of a block: the 3-page block counts 3 pages', async () => {
  const r = await run('footprint');
  assert.equal(r.used, { peak: 3 * P, peakEvent: 0, final: 3 * P, atPeakLive: 3 * P });
  close(r.m2, 1.2288, 'M2');
  close(r.m4, 1.2288, 'M4');
  close(r.m3, 1.2288, 'M3 (peak used first reached at event 0)');
});

test('the figures do not depend on how the trace is chunked', async () => {
  const a = await run('speed', 1, 65536);
  const b = await run('speed', 1, 3);
  for (const k of ['live', 'used', 'm1', 'm2', 'm3', 'm4', 'internal', 'syscalls', 'counts', 'anomalies'] as const) assert.equal(b[k], a[k], k);
});

test('with sparse samples, figures from the program\'s own writes stay exact', async () => {
  const a = await run('speed', 1);
  const b = await run('speed', 1000);
  for (const k of ['live', 'used', 'm1', 'm2', 'm3', 'm4'] as const) assert.equal(b[k], a[k], k);
  assert.ok(b.samples < a.samples);
});

test('a block the allocator places on an unmapped page makes the replay fail with a segmentation fault', async () => {
  class Wrong extends PageAllocator {
    protected override allocate(): number {
      return 0x10000; // inside the space's header region: never mapped
    }
  }
  try {
    await replay({ source: chunkSource('x', chunksOf([{ kind: 'a', id: 1, arg: 0, size: 8, site: null }])), allocator: (s) => new Wrong(s), space });
    assert.unreachable('no fault');
  } catch (e) {
    assert.is((e as Error).name, 'SegmentationFault');
  }
});

test('repeat runs on fresh spaces: one time per run, the figures of the first', async () => {
  const chunks = parseTrace(TRACE).chunks;
  const r = await replay({ source: chunkSource('by-hand', chunks), allocator: (s) => new PageAllocator(s), repeat: 3, space, series: false });
  assert.is(r.runsNsPerEvent.length, 3);
  assert.ok(r.runsNsPerEvent.includes(r.nsPerEvent));
  assert.is(r.series, null);
  assert.is(r.syscalls.mmap, 5);
});

test('a gzipped file streamed again for every run (no cache) gives the same figures as one in memory', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'heaplab-replay-'));
  try {
    writeFileSync(join(dir, 't.trace.gz'), gzipSync(TRACE));
    const source = fileSource(join(dir, 't.trace.gz'), { chunkEvents: 2, readBytes: 7 });
    const prepared = await prepareReplay(source, 0);
    assert.is(prepared.cached, false);
    assert.is(prepared.program, 'by-hand');
    const streamed = await replay({ source, allocator: (s) => new PageAllocator(s), sampleEvery: 1, space, cacheBytes: 0, repeat: 2 });
    const memory = await run('speed');
    for (const k of ['events', 'live', 'used', 'm1', 'm2', 'm3', 'm4', 'internal', 'syscalls', 'counts', 'anomalies'] as const) assert.equal(streamed[k], memory[k], k);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
