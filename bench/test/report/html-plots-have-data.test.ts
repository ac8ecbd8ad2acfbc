import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseHTML } from 'linkedom';
import type { Comparison } from '../../src/report/compare.js';
import { fixtureComparison } from './comparison-fixture.js';
import { htmlReport, markdownReport } from '../../src/report/document.js';
import { comparisonHeapMaps } from '../../src/report/run.js';
import type { HeapMap } from '../../src/report/heap-map.js';
import { bars, lineVertices, sameOrder, type SvgNode } from './svg-marks.js';

let c: Comparison;
let maps: HeapMap[];
let html: string;

test.before(async () => {
  c = await fixtureComparison({
    allocators: ['dlmalloc-style', 'thing-malloc'],
    sources: [
      { kind: 'workload', name: 'histogram', seed: 1, ops: 15_000 },
      { kind: 'workload', name: 'adversary', seed: 1, ops: 15_000 },
    ],
    windows: { 'thing-malloc': 8_000 },
  });
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
  assert.is(kinds.filter((k) => k === 'heap-map').length, maps.length, 'a heap map per map drawn');
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

function svgsOf(kind: string): SvgNode[] {
  const { document } = parseHTML(html);
  return [...document.querySelectorAll(`figure[data-plot="${kind}"] svg`)] as unknown as SvgNode[];
}

for (const kind of ['time', 'fragmentation']) {
  test(`${kind} plot: every bar starts at the axis and is longer the larger its value, under an axis with ticks`, () => {
    const svg = svgsOf(kind)[0]!;
    const bs = bars(svg);
    assert.ok(bs.length > 0);
    const values = bs.map((b) => Number(b.datum.value));
    const widths = bs.map((b) => b.width);
    assert.ok(widths.every((w) => w > 0), `bar widths ${JSON.stringify(widths)} for values ${JSON.stringify(values)}`);
    assert.ok(bs.every((b) => b.x === 0), `bars start at the axis (not stacked): ${JSON.stringify(bs.map((b) => b.x))}`);
    assert.ok(sameOrder(values, widths), `widths ${JSON.stringify(widths)} in the order of ${JSON.stringify(values)}`);
    const xAxis = [...svg.querySelectorAll('g.role-axis')].find((g) => /^X-axis/.test(g.getAttribute('aria-label') ?? ''));
    assert.ok(xAxis, 'an x axis');
    const ticks = [...xAxis!.querySelectorAll('g.role-axis-label text')].map((t) => t.textContent);
    assert.ok(ticks.length >= 2, `x axis tick labels: ${JSON.stringify(ticks)}`);
  });
}

test('size histograms: each bar is taller the more requests its bucket has', () => {
  const svgs = svgsOf('sizes');
  assert.is(svgs.length, c.sources.length);
  for (const [i, svg] of svgs.entries()) {
    const bs = bars(svg);
    const counts = bs.map((b) => Number(b.datum.requests));
    assert.equal(counts, c.sources[i]!.sizes.map((b) => b.count), 'a bar per bucket, in bucket order');
    assert.ok(sameOrder(counts, bs.map((b) => b.height)), `heights ${JSON.stringify(bs.map((b) => b.height))} in the order of ${JSON.stringify(counts)}`);
  }
});

test('footprint plots: each line steps through its series, higher where more bytes are used', () => {
  const MIB = 2 ** 20;
  for (const [i, svg] of svgsOf('footprint').entries()) {
    const s = c.sources[i]!;
    const lines = [...svg.querySelectorAll('g.mark-line path')];
    assert.ok(lines.length > 0);
    for (const path of lines) {
      const name = /series: (.*)$/.exec(path.getAttribute('aria-label') ?? '')![1]!;
      const a = name === 'live (requested bytes)' ? s.allocators.find((x) => x.window === null)! : s.allocators.find((x) => name.startsWith(x.name))!;
      const series = a.series!;
      const values = (name === 'live (requested bytes)' ? series.live : series.used).map((b) => b / MIB);
      // step-after: (x0,y0) (x1,y0) (x1,y1) (x2,y1) … — sample k is vertex 2k
      const v = lineVertices(path.getAttribute('d') ?? '');
      assert.is(v.length, 2 * values.length - 1, `${name}: vertices of ${values.length} samples`);
      const xs = values.map((_, k) => v[2 * k]![0]);
      const ys = values.map((_, k) => v[2 * k]![1]);
      assert.ok(sameOrder(series.event, xs), `${name}: x in event order`);
      assert.ok(sameOrder(values, ys.map((y) => -y)), `${name}: y in the order of the series`);
    }
  }
});

test('heap maps: each cell is drawn in the colour of its state, in cell order', () => {
  for (const [i, svg] of svgsOf('heap-map').entries()) {
    const m = maps[i]!;
    const rects = [...svg.querySelectorAll('g.mark-rect path')];
    assert.is(rects.length, m.cells.length);
    const fillOf = new Map<string, string>();
    rects.forEach((r, k) => {
      const state = /state: ([^;]*)/.exec(r.getAttribute('aria-label') ?? '')?.[1];
      assert.is(state, m.cells[k]!.state, `cell ${k}`);
      const fill = r.getAttribute('fill') ?? '';
      assert.is(fillOf.get(state!) ?? fill, fill, `one colour for ${state}`);
      fillOf.set(state!, fill);
    });
    assert.is(new Set(fillOf.values()).size, fillOf.size, 'a different colour per state');
  }
});

test('the heap map has a cell per group of pages, live blocks among them', () => {
  const m = maps[0]!;
  assert.is(m.allocator, 'dlmalloc-style');
  assert.ok(m.cells.length > 10 && m.pages['live blocks'] > 0, JSON.stringify(m.pages));
  const { document } = parseHTML(html);
  const svg = document.querySelectorAll('figure[data-plot="heap-map"] svg')[0]!;
  assert.is(svg.querySelectorAll('g.mark-rect path').length, m.cells.length);
  // the default event is the source's peak of live bytes (after that event)
  const r = c.sources[0]!.allocators[0]!.result!;
  assert.is(m.event, r.live.peakEvent + 1);
});

test('the size histogram of the article\'s workload puts 98% under 100 bytes; the window of a slow allocator is reported', () => {
  const s = c.sources[0]!;
  assert.ok(Math.abs(s.under100 - 0.98) < 0.01, String(s.under100));
  assert.is(s.sizes.reduce((a, b) => a + b.count, 0), s.requests);
  assert.is(s.allocators[1]!.window, 8_000);
  assert.is(s.allocators[0]!.window, null);
  const md = markdownReport(c, maps);
  assert.match(md, /thing-malloc replays only the first events of some sources \(its window in the plan, the same on every machine\): histogram 8,000, adversary 8,000/);
  assert.match(md, /\| histogram \| [\d.]+ \| [\d.]+ \|/);
});

test.run();
