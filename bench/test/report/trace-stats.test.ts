/*
 * Trace statistics (src/report/trace-stats.ts) on hand-made event lists whose figures are worked
 * out by hand in the comments: kinds, requests, failures, unknown frees, live peaks, shares and
 * the histogram's buckets and labels. Then seeded random traces (address-like ids up to 2^47,
 * ids reused, unknown frees, every realloc form) against a plain Map-based reference written
 * here from the event rules, its live table against a Map under heavy collisions, and the progress bar
 * on a file of a few MiB.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Writable } from 'node:stream';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chunkSource, chunksOf, writeTrace, type EventChunk, type TraceEvent } from '@heaplab/core';
import { LiveTable, SITE_ROWS, bucketLabel, bucketOf, traceFileStats, traceStats, traceStatsLines, type TraceStats } from '../../src/report/trace-stats.js';
import { Rng } from '../../src/workloads/rng.js';

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

/** The statistics the simple way: one Map, one pass over event objects. */
function referenceStats(events: readonly TraceEvent[], program: string): TraceStats {
  const live = new Map<number, number>();
  const liveSite = new Map<number, string | null>();
  const bySite = new Map<string, { requests: number; bytes: number }>();
  const byKind = { a: 0, c: 0, m: 0, r: 0, f: 0 };
  const buckets = new Map<number, number>();
  let bytes = 0;
  let peakBytes = 0;
  let peakBlocks = 0;
  let requests = 0;
  let failed = 0;
  let unknownFrees = 0;
  let reused = 0;
  let u100 = 0;
  let u1k = 0;
  let l128 = 0;
  let largest = 0;
  const release = (id: number): void => {
    if (!live.has(id)) unknownFrees++;
    else {
      bytes -= live.get(id)!;
      live.delete(id);
    }
  };
  for (const e of events) {
    byKind[e.kind]++;
    if (e.kind === 'f') {
      release(e.id);
      continue;
    }
    if (e.kind === 'r' && e.id === 0 && e.size === 0) {
      if (e.arg !== 0) release(e.arg);
      else failed++;
      continue;
    }
    if (e.kind === 'r' && e.id !== 0 && e.arg !== 0) release(e.arg);
    requests++;
    if (e.size < 100) u100++;
    if (e.size < 1024) u1k++;
    if (e.size >= 131072) l128++;
    largest = Math.max(largest, e.size);
    const b = e.size === 0 ? 0 : e.size.toString(2).length;
    buckets.set(b, (buckets.get(b) ?? 0) + 1);
    if (e.site !== null) {
      const row = bySite.get(e.site) ?? { requests: 0, bytes: 0 };
      row.requests++;
      row.bytes += e.size;
      bySite.set(e.site, row);
    }
    if (e.id === 0) {
      failed++;
      continue;
    }
    if (live.has(e.id)) {
      reused++;
      bytes -= live.get(e.id)!;
    }
    live.set(e.id, e.size);
    liveSite.set(e.id, e.site);
    bytes += e.size;
    peakBytes = Math.max(peakBytes, bytes);
    peakBlocks = Math.max(peakBlocks, live.size);
  }
  const used = [...buckets.keys()];
  const sizes = [];
  if (used.length > 0) for (let b = Math.min(...used); b <= Math.max(...used); b++) sizes.push({ lo: b === 0 ? 0 : 2 ** (b - 1), hi: b === 0 ? 0 : 2 ** b - 1, count: buckets.get(b) ?? 0 });
  const share = (n: number): number => (requests > 0 ? n / requests : NaN);
  const sites = [...bySite.entries()]
    .map(([site, r]) => {
      const ids = [...live.keys()].filter((id) => liveSite.get(id) === site);
      return { site, where: site, ...r, liveBlocks: ids.length, liveBytes: ids.reduce((x, id) => x + live.get(id)!, 0) };
    })
    .sort((x, y) => y.bytes - x.bytes || y.requests - x.requests || (x.site < y.site ? -1 : 1));
  return {
    program,
    events: events.length,
    byKind,
    requests,
    failed,
    unknownFrees,
    reusedLiveIds: reused,
    peakLiveBytes: peakBytes,
    peakLiveBlocks: peakBlocks,
    liveAtEnd: { blocks: live.size, bytes: [...live.values()].reduce((x, y) => x + y, 0) },
    under100: share(u100),
    under1k: share(u1k),
    atLeast128k: share(l128),
    largest,
    sizes,
    siteCount: sites.length,
    sites: sites.slice(0, SITE_ROWS),
  };
}

/**
 * A random trace of `n` events over ids drawn from a few address ranges (below 2^31, around 2^32,
 * near 2^47, 16-byte aligned), with frees of live and of unknown ids, ids reused while live,
 * failed requests and every realloc form; sizes spread over the power-of-two buckets.
 */
function randomEvents(seed: number, n: number): TraceEvent[] {
  const rng = new Rng(seed);
  const bases = [0x10000, 2 ** 32 - 4096 * 16, 0x7f0000000000 + rng.int(0, 2 ** 20) * 16];
  const live: number[] = [];
  const out: TraceEvent[] = [];
  const newId = (): number => bases[rng.int(0, bases.length - 1)]! + rng.int(0, 4095) * 16;
  const size = (): number => (rng.float() < 0.05 ? 0 : Math.floor(2 ** (rng.float() * 20)));
  const pickLive = (): number => (live.length === 0 ? newId() : live.splice(rng.int(0, live.length - 1), 1)[0]!);
  // a third of the requests have no site; the others one of 40 (more than SITE_ROWS)
  const site = (): string | null => (rng.float() < 0.33 ? null : `s${rng.int(0, 39)}`);
  for (let i = 0; i < n; i++) {
    const x = rng.float();
    if (x < 0.4) {
      const id = rng.float() < 0.03 ? 0 : rng.float() < 0.02 && live.length > 0 ? live[rng.int(0, live.length - 1)]! : newId();
      const kind = (['a', 'c', 'm'] as const)[rng.int(0, 2)]!;
      out.push({ kind, id, size: size(), arg: kind === 'm' ? 2 ** rng.int(3, 12) : 0, site: site() });
      if (id !== 0) live.push(id);
    } else if (x < 0.75) {
      out.push({ kind: 'f', id: rng.float() < 0.05 ? newId() : pickLive(), size: 0, arg: 0, site: null });
    } else {
      const form = rng.int(0, 3);
      if (form === 0) out.push({ kind: 'r', id: 0, size: 0, arg: pickLive(), site: null }); // realloc to 0 that freed
      else if (form === 1) out.push({ kind: 'r', id: 0, size: size() + 1, arg: live.length > 0 ? live[0]! : 0, site: site() }); // failed: old stays
      else {
        const id = newId();
        out.push({ kind: 'r', id, size: size(), arg: form === 2 ? 0 : pickLive(), site: site() });
        live.push(id);
      }
    }
  }
  return out;
}

test('stats over random traces, sites included, equal a plain Map reference, whatever the chunk size', async () => {
  for (const [seed, n, chunk] of [[1, 3000, 7], [2, 20000, 4096], [3, 50000, 65536], [4, 1, 1], [5, 800, 1]] as const) {
    const events = randomEvents(seed, n);
    const got = await traceStats(chunkSource('random', chunksOf(events, 'random', chunk)));
    assert.equal(got, referenceStats(events, 'random'), `seed ${seed}`);
  }
});

test('the live table agrees with a Map through growth and removals in runs that wrap around its end', () => {
  const rng = new Rng(7);
  const table = new LiveTable();
  const ref = new Map<number, number>();
  // random 16-byte-aligned addresses below 2^47 (evenly spaced ones would spread too well to
  // make runs), some sharing their low 32 bits with another so only the high half tells them apart
  const ids = Array.from({ length: 6000 }, () => 16 * (rng.int(1, 2 ** 20) + 2 ** 20 * rng.int(0, 2 ** 23)));
  for (let i = 0; i < 6000; i += 10) ids[i + 1] = (ids[i]! % 2 ** 32) + 2 ** 32 * rng.int(1, 2 ** 15);
  // first 500 ids only, mostly set (the table stays at 1,024 slots, about 45% full: long runs,
  // some wrapping around its end), then all of them (growth), then 1,000 again
  for (let step = 0; step < 200000; step++) {
    const id = ids[rng.int(0, step < 100000 ? 499 : step < 150000 ? ids.length - 1 : 999)]!;
    if (rng.float() < (step < 100000 ? 0.9 : 0.55)) {
      const size = rng.int(0, 1000);
      assert.is(table.set(id, size), ref.get(id) ?? -1);
      ref.set(id, size);
    } else {
      assert.is(table.delete(id), ref.get(id) ?? -1);
      ref.delete(id);
    }
    if (step % 997 === 0) for (const x of ids.slice(0, 50)) assert.is(table.get(x), ref.get(x) ?? -1);
  }
  assert.is(table.size, ref.size);
  assert.is(table.bytes, [...ref.values()].reduce((x, y) => x + y, 0));
  for (const x of ids) assert.is(table.get(x), ref.get(x) ?? -1);
});

test('sites in the module map are shown as module+offset in the stats and the terminal lines, tags as written', async () => {
  const events = [ev('a', 0x10, 100), ev('a', 0x20, 300), ev('a', 0x30, 50), ev('f', 0x20)];
  events[0]!.site = '401234';
  events[1]!.site = '0x401234';
  events[2]!.site = 'parser';
  const chunks = chunksOf(events, 'mods');
  chunks[0]!.modules = [{ start: 0x400000, end: 0x500000, offset: 0x1000, path: '/no/such/dir/libdemo.so' }];
  const s = await traceStats(chunkSource('mods', chunks), { addr2line: false });
  assert.is(s.siteCount, 3);
  assert.equal(
    s.sites.map((r) => [r.site, r.where, r.requests, r.bytes, r.liveBlocks, r.liveBytes]),
    [['0x401234', 'libdemo.so+0x2234', 1, 300, 0, 0], ['401234', 'libdemo.so+0x2234', 1, 100, 1, 100], ['parser', 'parser', 1, 50, 1, 50]],
  );
  const lines = traceStatsLines('mods', s);
  assert.is(lines.at(-5), '  allocation sites by bytes requested (3 of 3):');
  assert.match(lines.at(-2)!, /^\s+100\s+1\s+1 \(100 B\)\s+libdemo\.so\+0x2234$/);
  assert.match(lines.at(-1)!, /parser$/);
});

/** A stream that says it is a terminal and keeps what is written. */
function fakeTerminal(): NodeJS.WriteStream & { text: string } {
  const s = new Writable({
    write(chunk, _enc, done) {
      (s as unknown as { text: string }).text += String(chunk);
      done();
    },
  }) as unknown as NodeJS.WriteStream & { text: string };
  s.text = '';
  Object.assign(s, { isTTY: true, columns: 120, cursorTo: () => true, clearLine: () => true, moveCursor: () => true });
  return s;
}

test('stats of a file of several MiB show a progress bar of MiB read on a terminal, and the same figures as the source', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'heaplab-stats-'));
  try {
    const file = join(dir, 'random.trace');
    const events = randomEvents(9, 250000);
    const chunks: EventChunk[] = chunksOf(events, 'random', 65536);
    await writeTrace(file, chunks, { program: 'random' });
    const stream = fakeTerminal();
    const s = await traceFileStats(file, { progress: true, stream, delayMs: 0 });
    assert.equal(s, referenceStats(events, 'random'));
    assert.match(stream.text, /heaplab .* \d+\/[3-9] (\S+ left|estimating) \| MiB of .*random\.trace, [\d,]+ events/);
    const quiet = fakeTerminal();
    await traceFileStats(file, { stream: quiet, delayMs: 0 });
    assert.is(quiet.text, '', 'no bar unless asked');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
