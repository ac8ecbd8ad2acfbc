/*
 * The report names allocators by name, never by instance label: `bump-freestack#487` counts the
 * instances one process made, differs from run to run and means nothing to a reader. Labels that
 * reach the report through results (the producer-consumer run's allocator, check() messages),
 * error messages and the heap maps' owners are cut back to the name, in Markdown and HTML alike.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseHTML } from 'linkedom';
import type { Comparison } from '../../src/report/compare.js';
import { htmlReport, markdownReport } from '../../src/report/document.js';
import type { HeapMap } from '../../src/report/heap-map.js';
import { comparisonHeapMaps } from '../../src/report/run.js';
import { comparisonGrids, comparisonNotes } from '../../src/report/tables.js';
import { fixtureComparison } from './comparison-fixture.js';

const INSTANCE = /[A-Za-z]#\d+/;
let c: Comparison;
let maps: HeapMap[];

test.before(async () => {
  c = await fixtureComparison({ allocators: ['mmap-pages', 'dlmalloc-style'], sources: [{ kind: 'workload', name: 'lifo', seed: 1, ops: 3_000 }] });
  c.sources[0]!.allocators.push({ name: 'zoned-classes', label: 'zoned-classes#9', window: null, result: null, series: null, error: 'AllocatorError: zoned-classes#9: canary-corrupted at 0x1000' });
  const side = { ms: 1, calls: 10, failures: 0, broken: 0 };
  c.shared = [{ allocator: 'bump-freestack#487', workers: 2, events: 20, nsPerEvent: 50, producer: { role: 'producer', ...side }, consumer: { role: 'consumer', ...side }, check: 'HeapCorruption: bump-freestack#487: free list loops' }];
  maps = await comparisonHeapMaps(c);
});

test('no table, note or heap-map row of the report carries an instance number', async () => {
  for (const g of comparisonGrids(c)) for (const r of [g.head, ...g.rows]) for (const v of r) assert.not.match(v, INSTANCE, `${g.title}: ${v}`);
  for (const n of comparisonNotes(c)) assert.not.match(n, INSTANCE, n);
  const shared = comparisonGrids(c).find((g) => g.title.startsWith('producer-consumer'))!;
  assert.is(shared.rows[0]![0], 'bump-freestack');
  assert.match(comparisonNotes(c).join('\n'), /zoned-classes failed on lifo: AllocatorError: zoned-classes: canary-corrupted/);
  const mmap = maps.find((m) => m.allocator === 'mmap-pages')!;
  assert.ok(mmap.rows.some((r) => / mmap-pages$/.test(r)), `rows name their owner: ${mmap.rows.slice(0, 3).join(' | ')}`);
  for (const m of maps) for (const r of m.rows) assert.not.match(r, INSTANCE, r);
  assert.not.match(markdownReport(c, maps), INSTANCE);
  const { document } = parseHTML(await htmlReport(c, maps));
  const texts = [...document.querySelectorAll('table, figure text, figcaption, li, p')].map((e) => e.textContent ?? '');
  for (const t of texts) assert.not.match(t, INSTANCE, t.slice(0, 120));
});

test.run();
