/*
 * The heap maps of one figure compare allocators at the same moment and at the same address
 * scale: every map is drawn after the same event (the source's peak of live bytes, or `--at`)
 * with the same pages per cell, the largest any of them needs. An allocator whose shorter window
 * ends before that event is left out, and the report says so.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Comparison } from '../../src/report/compare.js';
import { markdownReport } from '../../src/report/document.js';
import { heapMap } from '../../src/report/heap-map.js';
import { comparisonHeapMaps } from '../../src/report/run.js';
import { snapshotAt } from '../../src/report/snapshot.js';
import { openSource } from '../../src/report/sources.js';
import { comparedFactory } from '../../src/adapters/index.js';
import { fixtureComparison } from './comparison-fixture.js';

let c: Comparison;

test.before(async () => {
  c = await fixtureComparison({
    allocators: ['mmap-pages', 'dlmalloc-style', 'bump-freestack', 'zoned-classes'],
    sources: [{ kind: 'workload', name: 'churn', seed: 3, ops: 12_000 }],
    windows: { 'zoned-classes': 4_000 },
  });
});

test('every map of the figure is drawn after the source\'s peak of live bytes, at the largest scale any needs', async () => {
  const s = c.sources[0]!;
  const peak = s.allocators[0]!.result!.live.peakEvent;
  const maps = await comparisonHeapMaps(c);
  assert.equal(maps.map((m) => m.allocator), ['mmap-pages', 'dlmalloc-style', 'bump-freestack']);
  assert.equal(maps.map((m) => m.event), [peak + 1, peak + 1, peak + 1]);
  // the scale each would take alone
  const natural: number[] = [];
  for (const m of maps) {
    const snap = await snapshotAt(openSource(s.spec), comparedFactory(m.allocator), m.event);
    natural.push(heapMap(snap.space, snap.blocks, { allocator: m.allocator, source: s.name, event: m.event }).pagesPerCell);
  }
  assert.ok(new Set(natural).size > 1, `alone they take different scales: ${natural}`);
  assert.equal(maps.map((m) => m.pagesPerCell), natural.map(() => Math.max(...natural)));
  const md = markdownReport(c, maps);
  assert.match(md, new RegExp(`Every allocator on churn after ${(peak + 1).toLocaleString('en-US')} events, each cell ${Math.max(...natural)} page\\(s\\)`));
  assert.match(md, /Not drawn, as their replay ended before that event: zoned-classes \(replayed only the first 4,000 events\)/);
});

test('--at draws every map after that event, a window that reaches it included', async () => {
  const maps = await comparisonHeapMaps(c, { at: 3_000 });
  assert.equal(maps.map((m) => m.allocator), ['mmap-pages', 'dlmalloc-style', 'bump-freestack', 'zoned-classes']);
  assert.ok(maps.every((m) => m.event === 3_000 && m.pagesPerCell === maps[0]!.pagesPerCell), JSON.stringify(maps.map((m) => [m.event, m.pagesPerCell])));
});

test.run();
