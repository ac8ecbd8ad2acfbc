/*
 * The sample traces bundled in bench/traces (recorded from real programs by bench/traces/record.sh):
 * each is under 1 MB compressed, is a whole recording (no frees of ids it never allocated, no id
 * allocated twice while live), and replays through every registered allocator without a failed
 * request, its peak live bytes the same whichever allocator replays it. `npm run bench` compares
 * them (sources.ts finds them); this test is what keeps them replayable.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { statSync } from 'node:fs';
import { basename } from 'node:path';
import { fileSource, prepareReplay, runReplay } from '@heaplab/core';
import { allocatorFactory, allocatorNames } from '../../src/allocators.js';
import { bundledTraces } from '../../src/report/sources.js';
import { traceStats } from '../../src/report/trace-stats.js';

const traces = bundledTraces();

test('at least four real-program traces are bundled, each under 1 MB compressed', () => {
  assert.ok(traces.length >= 4, traces.join(', '));
  for (const t of traces) {
    assert.match(t, /\.gz$/);
    assert.ok(statSync(t).size < 1_000_000, `${basename(t)}: ${statSync(t).size} bytes`);
  }
});

for (const file of traces) {
  test(`${basename(file)} is a whole recording and replays through every allocator without a failed request`, async () => {
    const stats = await traceStats(fileSource(file));
    assert.ok(stats.events > 50_000, `${stats.events} events`);
    assert.is(stats.unknownFrees, 0);
    assert.is(stats.reusedLiveIds, 0);
    assert.is(stats.failed, 0);
    const prepared = await prepareReplay(fileSource(file));
    assert.is(prepared.events, stats.events);
    for (const name of allocatorNames()) {
      const r = await runReplay(prepared, allocatorFactory(name), { series: false, sampleEvery: 1 << 20 });
      assert.is(r.failures, 0, `${name} on ${basename(file)}`);
      assert.is(r.replayed, stats.events, name);
      assert.is(r.live.peak, stats.peakLiveBytes, name);
    }
  });
}

test.run();
