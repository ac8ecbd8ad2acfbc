/*
 * The report's plots as vega-lite specifications, rendered to SVG in Node by vega (`toSVG()`
 * with the 'none' renderer: no browser, no canvas). One function per plot; each returns the SVG
 * text, which the HTML page inlines. Data are inline `values`, so a spec is self-contained and
 * can be pasted into the vega editor as it is (`specOf…` functions return them for tests).
 *
 *   footprint over time   line per allocator: used (resident) MiB against the event index, and
 *                         the live bytes as a dashed black line
 *   size histogram        bars: requests per power-of-two size bucket (a symlog count axis as an
 *                         option, so buckets of a few requests show beside ones of millions)
 *   time per event        horizontal bars per source, one per allocator (log scale: the adapter
 *                         of @thi.ng/malloc is orders of magnitude slower), native ones included
 *   fragmentation         the same layout for M4 (peak used / peak live)
 *   heap map              one rect per cell of heap-map.ts, coloured by state
 *
 * Legends and axis labels are never truncated (labelLimit 0: vega's default cuts them at 160–180
 * px, which cut "dlmalloc-style (first 30000 events)" and the heap maps' row labels).
 */

import type { TopLevelSpec } from 'vega-lite';
import type { Comparison, SourceResult } from './compare.js';
import { CELL_STATES, CELLS_PER_ROW, type HeapMap } from './heap-map.js';
import { columns, m4Of, nsOf } from './tables.js';
import { bucketLabel, type SizeBucket } from './trace-stats.js';

const MIB = 2 ** 20;
const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';
const STATE_COLOURS = ['#d62728', '#ff9896', '#c7c7c7', '#393b79', '#ffffff'];
/** A legend whose labels are drawn whole. */
const WHOLE_LEGEND = { labelLimit: 0 };

/**
 * Renders a vega-lite spec to SVG text. vega and vega-lite are loaded on the first call, not when
 * this module is imported: they take most of a second to load, and most commands draw nothing.
 */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const [vega, { compile }] = await Promise.all([import('vega'), import('vega-lite')]);
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Footprint over time of every allocator on one source (and live bytes). */
export function footprintSpec(s: SourceResult): TopLevelSpec {
  const values: { series: string; event: number; mib: number }[] = [];
  let liveDone = false;
  for (const a of s.allocators) {
    if (!a.series) continue;
    const name = a.window !== null ? `${a.name} (first ${a.window} events)` : a.name;
    a.series.event.forEach((e, i) => values.push({ series: name, event: e, mib: a.series!.used[i]! / MIB }));
    if (!liveDone && a.window === null) {
      a.series.event.forEach((e, i) => values.push({ series: 'live (requested bytes)', event: e, mib: a.series!.live[i]! / MIB }));
      liveDone = true;
    }
  }
  return {
    $schema: SCHEMA,
    title: `${s.name}: used (resident) memory over time`,
    width: 640,
    height: 280,
    data: { values },
    mark: { type: 'line', interpolate: 'step-after' },
    encoding: {
      x: { field: 'event', type: 'quantitative', title: 'event' },
      y: { field: 'mib', type: 'quantitative', title: 'MiB' },
      color: { field: 'series', type: 'nominal', title: null, legend: WHOLE_LEGEND },
      strokeDash: { condition: { test: "datum.series === 'live (requested bytes)'", value: [4, 3] }, value: [1, 0] },
    },
  } as TopLevelSpec;
}

/** What the size histogram shows of a source: its name, buckets and share under 100 B. */
export interface SizeHistogramInput {
  name: string;
  sizes: readonly SizeBucket[];
  under100: number;
}

/** Options of the size histogram. */
export interface SizeHistogramOptions {
  /**
   * Counts on a symmetric log axis (symlog: linear near 0, logarithmic above), so a tail of a few
   * large requests shows beside millions of small ones; an empty bucket stays at 0. Default false.
   */
  logCounts?: boolean;
}

/** Requests per power-of-two size bucket of one source (a comparison's, or `heaplab trace stats --svg`). */
export function sizeHistogramSpec(s: SizeHistogramInput, options: SizeHistogramOptions = {}): TopLevelSpec {
  const values = s.sizes.map((b, i) => ({ order: i, bucket: bucketLabel(b), count: b.count }));
  const log = options.logCounts === true;
  return {
    $schema: SCHEMA,
    title: `${s.name}: request sizes (${(s.under100 * 100).toFixed(1)}% under 100 B)`,
    width: 640,
    height: 200,
    data: { values },
    mark: 'bar',
    encoding: {
      x: { field: 'bucket', type: 'ordinal', sort: { field: 'order' }, title: 'bytes' },
      y: { field: 'count', type: 'quantitative', title: log ? 'requests (log scale)' : 'requests', ...(log ? { scale: { type: 'symlog' } } : {}) },
    },
  } as TopLevelSpec;
}

function barsSpec(c: Comparison, title: string, axis: string, value: (s: SourceResult, col: string) => number, log: boolean): TopLevelSpec {
  const { heaplab, native } = columns(c);
  const values: { source: string; allocator: string; value: number }[] = [];
  for (const s of c.sources) {
    for (const col of heaplab) values.push({ source: s.name, allocator: col, value: value(s, col) });
    for (const col of native) values.push({ source: s.name, allocator: `${col} (native)`, value: value(s, col) });
  }
  const shown = values.filter((v) => Number.isFinite(v.value) && v.value > 0);
  // A log scale has no zero for bars to start from: they start at a power of ten strictly below
  // the smallest value, so every bar has a length.
  const least = Math.min(...shown.map((v) => v.value));
  const scale = log ? { type: 'log', domainMin: shown.length > 0 ? 10 ** (Math.ceil(Math.log10(least)) - 1) : 1 } : { zero: true };
  return {
    $schema: SCHEMA,
    title,
    width: 560,
    height: { step: 12 },
    data: { values: shown },
    mark: 'bar',
    encoding: {
      y: { field: 'source', type: 'nominal', title: null, axis: { labelLimit: 0 } },
      yOffset: { field: 'allocator', type: 'nominal' },
      // stack: null — vega-lite stacks bars that share a band by default, and a stack on a log
      // scale collapses every bar to zero width
      x: { field: 'value', type: 'quantitative', title: axis, scale, stack: null },
      color: { field: 'allocator', type: 'nominal', title: null, legend: WHOLE_LEGEND },
      tooltip: [{ field: 'allocator' }, { field: 'value', format: '.3~f' }],
    },
  } as TopLevelSpec;
}

/** ns per event of every allocator on every source. */
export function timeSpec(c: Comparison): TopLevelSpec {
  return barsSpec(c, 'Time per event (median, speed touch)', 'ns per event (log scale)', nsOf, true);
}

/** M4 of every allocator on every source. */
export function fragmentationSpec(c: Comparison): TopLevelSpec {
  return barsSpec(c, 'Fragmentation: M4 = peak used / peak live', 'M4', m4Of, false);
}

/** The heap map as a grid of coloured cells. */
export function heapMapSpec(m: HeapMap): TopLevelSpec {
  const cellPx = 9;
  return {
    $schema: SCHEMA,
    title: `${m.allocator} on ${m.source} at event ${m.event}: ${m.pagesPerCell} page(s) of ${m.pageSize / 1024} KiB per cell`,
    width: CELLS_PER_ROW * cellPx,
    height: Math.max(1, m.rows.length) * cellPx,
    data: { values: m.cells.map((c) => ({ ...c, rowLabel: m.rows[c.row] })) },
    mark: { type: 'rect', stroke: '#eeeeee', strokeWidth: 0.5 },
    encoding: {
      x: { field: 'col', type: 'ordinal', axis: null },
      y: { field: 'row', type: 'ordinal', axis: { title: null, labelExpr: `${JSON.stringify(m.rows)}[datum.value]`, labelFontSize: 9, labelLimit: 0 } },
      color: { field: 'state', type: 'nominal', scale: { domain: [...CELL_STATES], range: STATE_COLOURS }, title: 'page state', legend: WHOLE_LEGEND },
      tooltip: [{ field: 'addr' }, { field: 'state' }],
    },
  } as TopLevelSpec;
}
