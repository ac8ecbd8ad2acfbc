/*
 * A windowed allocator (one that replayed only the first events of a source) is divided by
 * glibc's time over the same window, not over the whole source: the first events hold the heap's
 * growth and its first touches of fresh pages, so per-event times differ between the two.
 */

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { compare, type Comparison, type SourceResult } from '../../src/report/compare.js';
import { resolvePlan } from '../../src/lab/plan.js';

const WINDOW = 5_000;
import { comparisonGrids, glibcNsFor } from '../../src/report/tables.js';

const native = (name: string, ns: number) => ({ name, nsPerEvent: ns, runsNsPerEvent: [ns], footprint: 1 });
const result = (ns: number) => ({ nsPerEvent: ns, m4: 1, m1: 1, internal: { ratio: 0 } }) as unknown as SourceResult['allocators'][number]['result'];

function source(nativeWindows: SourceResult['nativeWindows']): SourceResult {
  return {
    name: 'churn', spec: { kind: 'workload', name: 'churn', seed: 1 }, label: 'churn', program: 'churn', events: 1000,
    requests: 500, under100: 0.9, peakLive: 1, sizes: [],
    allocators: [
      { name: 'whole', label: 'whole', window: null, result: result(300), series: null, error: null },
      { name: 'windowed', label: 'windowed', window: 100, result: result(900), series: null, error: null },
    ],
    native: [native('glibc', 100)],
    nativeWindows,
    nativeSkipped: [],
  } as SourceResult;
}

test('the ratio of a windowed allocator divides by glibc over its window', () => {
  const s = source([{ events: 100, glibc: native('glibc', 450) }]);
  assert.is(glibcNsFor(s, 'whole'), 100);
  assert.is(glibcNsFor(s, 'windowed'), 450);
  const c: Comparison = { heaplabComparison: 1, date: '', node: '', cpus: 2, repeat: 1, seconds: 0, sources: [s], shared: [] };
  const ratio = comparisonGrids(c).find((g) => g.title.startsWith('Time per event ÷ glibc'))!;
  assert.equal(ratio.rows[0]!.slice(0, 3), ['churn', '3.00', '2.00']);
  assert.match(ratio.notes.join(' '), /divided by glibc replaying the same window/);
});

test('without glibc over the window (an older comparison), the whole source is used and the table says so', () => {
  const s = source(undefined);
  assert.is(glibcNsFor(s, 'windowed'), 100);
  const c: Comparison = { heaplabComparison: 1, date: '', node: '', cpus: 2, repeat: 1, seconds: 0, sources: [s], shared: [] };
  const ratio = comparisonGrids(c).find((g) => g.title.startsWith('Time per event ÷ glibc'))!;
  assert.equal(ratio.rows[0]!.slice(0, 3), ['churn', '3.00', '9.00']);
  assert.match(ratio.notes.join(' '), /glibc did not replay these windows.*windowed on churn/);
});

test('compare runs glibc on each window an allocator replayed', async () => {
  const plan = resolvePlan({
    name: 'glibc-windows',
    allocators: ['bump-freestack', 'thing-malloc'],
    sources: [{ source: { kind: 'workload', name: 'fifo', seed: 1, ops: 20_000 } }],
    windows: { 'thing-malloc': WINDOW },
    runs: 1,
  });
  const c = await compare(plan, { ledger: null, progress: false });
  const s = c.sources[0]!;
  if (s.native.length === 0) {
    assert.ok(s.nativeSkipped.length > 0, 'no native run and no reason given');
    console.log(`  (native driver not available here: ${s.nativeSkipped[0]})`);
    return;
  }
  const thing = s.allocators.find((a) => a.name === 'thing-malloc')!;
  assert.is(thing.window, WINDOW);
  const w = s.nativeWindows?.find((x) => x.events === WINDOW);
  assert.ok(w, `glibc over the ${WINDOW}-event window: ${JSON.stringify(s.nativeWindows)}`);
  assert.ok(w.glibc.nsPerEvent > 0);
  assert.is(glibcNsFor(s, 'thing-malloc'), w.glibc.nsPerEvent);
});

test.run();
