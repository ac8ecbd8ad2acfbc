/*
 * The report shows what a native footprint is made of — peak RSS, the driver's own baseline taken
 * from it, the footprint, and the trace's peak live beside them — so a reader can see why it is
 * what it is (bench/native/README.md, "Footprint").
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { markdownReport } from '../../src/report/document.js';
import { nativeFootprintGrid } from '../../src/report/tables.js';
import { fixtureComparison } from './comparison-fixture.js';

const MIB = 2 ** 20;

test('a table gives each native footprint as peak RSS less the baseline, beside the peak live bytes', async () => {
  const c = await fixtureComparison({
    allocators: ['bump-freestack'],
    sources: [{ kind: 'workload', name: 'lifo', seed: 1, ops: 2_000 }],
    native: { lifo: [{ name: 'glibc', nsPerEvent: 20, runsNsPerEvent: [20], footprint: 7 * MIB, baseline: 5.25 * MIB, grossRss: 12.25 * MIB }] },
  });
  const g = nativeFootprintGrid(c)!;
  assert.equal(g.head, ['source', 'glibc (native)', 'peak live']);
  assert.equal(g.rows[0]!.slice(0, 2), ['lifo', '7.00 = 12.25 − 5.25']);
  assert.is(g.rows[0]![2], (c.sources[0]!.peakLive / MIB).toFixed(2));
  assert.match(markdownReport(c, []), /### Native footprint, MiB = peak RSS − the driver's own baseline/);
  const live = c.sources[0]!.peakLive;
  c.sources[0]!.native = [{ name: 'glibc', nsPerEvent: 20, runsNsPerEvent: [20], footprint: live, baseline: 5.25 * MIB, grossRss: 5.25 * MIB + live - 4096 }];
  assert.match(nativeFootprintGrid(c)!.rows[0]![1]!, /^[\d.]+ \(raised to peak live from [\d.]+ − 5\.25\)$/);
  // parts from another run than the footprint's: the baseline alone, no equation
  c.sources[0]!.native = [{ name: 'glibc', nsPerEvent: 20, runsNsPerEvent: [20], footprint: 7 * MIB, baseline: 5.25 * MIB, grossRss: 6 * MIB }];
  assert.is(nativeFootprintGrid(c)!.rows[0]![1], '7.00 (baseline 5.25)');
  c.sources[0]!.native = [{ name: 'glibc', nsPerEvent: 20, runsNsPerEvent: [20], footprint: 7 * MIB }];
  assert.is(nativeFootprintGrid(c), null, 'no table for figures of a driver that did not report a baseline');
});

test.run();
