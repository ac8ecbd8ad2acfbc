/*
 * The native driver's footprint in footprint mode (-p) is never below the trace's peak live
 * bytes: every page of a live block is written, so the pages resident at the peak hold at least
 * the live bytes. On the bundled sqlite3-index trace, peak RSS less a baseline of everything
 * resident before the replay gave 0.98–0.99 × live, for two reasons the driver now avoids: the
 * baseline held heap pages that zlib's inflate state had made resident and the replay reused, and
 * VmHWM lags the true peak (it is kept from approximate per-CPU counters). The footprint is now
 * peak RSS (VmHWM, or VmRSS read at the event of peak live when larger) less the driver's own
 * baseline (code, libraries, its starting anonymous memory and its arrays). Where the driver is
 * not built (no C compiler), the test says so and checks nothing else.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { NATIVE_DIR, combineNative, runNative } from '../../src/metrics/native.js';

const DRIVER = join(NATIVE_DIR, 'build', 'heaplab-replay');
const TRACE = join(NATIVE_DIR, '..', 'traces', 'sqlite3-index.trace.gz');

interface Footprint {
  footprint_bytes_runs: number[];
  peak_footprint_bytes: number;
  peak_live_bytes: number;
  baseline_rss_bytes: number;
  heap_at_baseline_bytes: number;
  gross_peak_rss_bytes: number;
  rss_at_peak_live_bytes: number | null;
  footprint_raised_to_live: boolean;
  gzip: boolean;
}

function replay(args: string[]): Footprint {
  const r = spawnSync(DRIVER, ['-q', ...args, TRACE], { encoding: 'utf8' });
  assert.is(r.status, 0, r.stderr);
  return JSON.parse(r.stdout.trim().split('\n').at(-1)!) as Footprint;
}

test('on sqlite3-index every footprint-mode run is at least the peak live bytes, measured so and not only raised', () => {
  if (!existsSync(DRIVER)) return console.log(`skipped: the driver is not built (${DRIVER})`);
  for (let round = 0; round < 2; round++) {
    const j = replay(['-n', '2', '-p']);
    assert.ok(j.peak_live_bytes > 0);
    for (const f of j.footprint_bytes_runs) assert.ok(f >= j.peak_live_bytes, `footprint ${f} < peak live ${j.peak_live_bytes}`);
    // the measurement itself: peak RSS less the driver's own baseline
    assert.ok(j.rss_at_peak_live_bytes !== null, 'VmRSS read at the event of peak live');
    assert.ok(j.gross_peak_rss_bytes >= j.rss_at_peak_live_bytes!);
    assert.ok(j.gross_peak_rss_bytes - j.baseline_rss_bytes >= j.peak_live_bytes, `gross ${j.gross_peak_rss_bytes} − baseline ${j.baseline_rss_bytes} < live ${j.peak_live_bytes}`);
    assert.is(j.footprint_raised_to_live, false);
    assert.is(j.peak_footprint_bytes, j.gross_peak_rss_bytes - j.baseline_rss_bytes);
    // zlib's inflate state, freed into the heap before the replay, is the allocator's memory
    if (j.gzip) assert.ok(j.heap_at_baseline_bytes > 0, `heap at baseline ${j.heap_at_baseline_bytes}`);
  }
});

test('speed mode keeps one timed stretch and reports the same baseline fields', () => {
  if (!existsSync(DRIVER)) return console.log(`skipped: the driver is not built (${DRIVER})`);
  const j = replay(['-n', '1']);
  assert.is(j.rss_at_peak_live_bytes, null);
  assert.ok(j.baseline_rss_bytes > 0 && j.gross_peak_rss_bytes > j.baseline_rss_bytes);
});

test('a native run carries its baseline and gross RSS, and rounds combine them from the round of the largest footprint', async () => {
  if (!existsSync(DRIVER)) return console.log(`skipped: the driver is not built (${DRIVER})`);
  const run = await runNative(TRACE, { footprint: true, only: ['glibc'] });
  const g = run.figures[0]!;
  assert.ok(g.baseline! > 0 && g.grossRss! > g.baseline!, JSON.stringify(g));
  assert.is(g.footprint, g.grossRss! - g.baseline!);
  const low = { ...g, footprint: 1, baseline: 7, grossRss: 8 };
  const [c] = combineNative([[low], [g]]);
  assert.equal([c!.footprint, c!.baseline, c!.grossRss], [g.footprint, g.baseline, g.grossRss]);
});

test.run();
