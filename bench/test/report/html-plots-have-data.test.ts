import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseHTML } from 'linkedom';
import { compare, type Comparison } from '../../src/report/compare.js';
import { htmlReport, markdownReport } from '../../src/report/document.js';
import { comparisonHeapMaps } from '../../src/report/run.js';
import type { HeapMap } from '../../src/report/heap-map.js';

let c: Comparison;
let maps: HeapMap[];
let html: string;

test.before(async () => {
  c = await compare(
    {
      allocators: ['dlmalloc-style', 'thing-malloc'],
      sources: [
        { kind: 'workload', name: 'histogram', seed: 1, ops: 15_000 },
        { kind: 'workload', name: 'adversary', seed: 1, ops: 15_000 },
      ],
      repeat: 1,
      native: false,
      progress: false,
      windows: { 'thing-malloc': 8_000 },
      budgetSeconds: Infinity,
    },
  );
  maps = await comparisonHeapMaps(c);
  html = await htmlReport(c, maps);
});

/** Marks drawn by vega: the children of each `role-mark` group of an SVG. */
function markCounts(svg: { querySelectorAll(s: string): ArrayLike<{ children: { length: number } }> & Iterable<{ children: { length: number } }> }): number[] {
  return [...svg.querySelectorAll('g.role-mark')].map((g) => g.children.length);
}

test('the page has every plot, each an inline SVG whose marks have data', () => {
  const { document } = parseHTML(html);
  const figures = [...document.querySelectorAll('figure.plot')];
  const kinds = figures.map((f) => f.getAttribute('data-plot'));
  assert.equal([...new Set(kinds)].sort(), ['footprint', 'fragmentation', 'heap-map', 'sizes', 'time']);
  assert.is(kinds.filter((k) => k === 'footprint').length, 2, 'a footprint plot per source');
  assert.is(kinds.filter((k) => k === 'heap-map').length, 2, 'a heap map per allocator');
  for (const f of figures) {
    const svg = f.querySelector('svg');
    assert.ok(svg, `${f.getAttribute('data-plot')}: an inline svg`);
    const counts = markCounts(svg!);
    assert.ok(counts.length > 0 && counts.some((n) => n > 0), `${f.getAttribute('data-plot')}: marks with data, got ${JSON.stringify(counts)}`);
  }
  assert.not.match(html, /<script|<link |src="http/, 'self-contained: no script, no external file');
});

test('bars: one per allocator and source; footprint: a line per allocator and one for live bytes', () => {
  const { document } = parseHTML(html);
  const bars = (kind: string) => markCounts(document.querySelector(`figure[data-plot="${kind}"] svg`)!).reduce((a, b) => a + b, 0);
  assert.is(bars('time'), 4);
  assert.is(bars('fragmentation'), 4);
  const foot = document.querySelector('figure[data-plot="footprint"] svg')!;
  assert.is(foot.querySelectorAll('g.mark-line path').length, 3);
});

test('the heap map has a cell per group of pages, live blocks among them', () => {
  const m = maps[0]!;
  assert.is(m.allocator, 'dlmalloc-style');
  assert.ok(m.cells.length > 10 && m.pages['live blocks'] > 0, JSON.stringify(m.pages));
  const { document } = parseHTML(html);
  const svg = document.querySelectorAll('figure[data-plot="heap-map"] svg')[0]!;
  assert.is(svg.querySelectorAll('g.mark-rect path').length, m.cells.length);
  // the default event is the allocator's peak of used memory (after that event)
  const r = c.sources[0]!.allocators[0]!.result!;
  assert.is(m.event, r.used.peakEvent + 1);
});

test('the size histogram of the article\'s workload puts 98% under 100 bytes; the window of a slow allocator is reported', () => {
  const s = c.sources[0]!;
  assert.ok(Math.abs(s.under100 - 0.98) < 0.01, String(s.under100));
  assert.is(s.sizes.reduce((a, b) => a + b.count, 0), s.requests);
  assert.is(s.allocators[1]!.window, 8_000);
  assert.is(s.allocators[0]!.window, null);
  const md = markdownReport(c, maps);
  assert.match(md, /thing-malloc replays only the first events of some sources \(the whole would pass the time budget\): histogram 8,000, adversary 8,000/);
  assert.match(md, /\| histogram \| [\d.]+ \| [\d.]+ \|/);
});

test.run();
