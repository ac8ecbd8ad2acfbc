/*
 * Pareto fronts of a sweep's record: per source, each allocator configuration as a point (median
 * time per event, M4), and the points no other beats on both (time ≤ and M4 ≤, one of them <).
 * Nothing here measures: the same record gives the same points, front, tables and pictures.
 *
 * The settings of a point are the options that vary among the record's allocator specs of one
 * allocator name (axesOf): for a grid `policy × mmapThreshold` they are exactly the grid's axes,
 * so a record carries its grid without a field of its own.
 *
 * Pictures (vega-lite, rendered to SVG by report/plots.ts renderSvg):
 *   paretoSpec   time per event (log x) against M4, every point labelled with its settings, the
 *                front's points filled and joined by a line;
 *   axisSpec     M4 against one axis, one line per setting of the other axes (those held fixed).
 */

import type { TopLevelSpec } from 'vega-lite';
import type { LabRecord, SourceRecord } from './api.js';
import { settingsLabel, sizeText } from './grid.js';
import { parseSpec } from './spec.js';
import { summarize } from './summary.js';

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';

/** One configuration on one source. */
export interface ParetoPoint {
  spec: string;
  settings: Record<string, unknown>;
  label: string;
  /** Median ns per event over the timed runs. */
  ns: number;
  m4: number;
  onFront: boolean;
}

/** The options that take more than one value among specs of the same allocator name. */
export function axesOf(specs: readonly string[]): string[] {
  const values = new Map<string, Set<string>>();
  const parsed = specs.map((s) => parseSpec(s));
  for (const p of parsed) for (const [k, v] of Object.entries(p.options)) (values.get(k) ?? values.set(k, new Set()).get(k)!).add(String(v));
  return [...values.entries()].filter(([k, v]) => v.size > 1 || parsed.some((p) => !(k in p.options))).map(([k]) => k);
}

/** Marks the points no other point dominates (minimising both time and M4). */
export function markFront<T extends { ns: number; m4: number; onFront?: boolean }>(points: T[]): T[] {
  for (const p of points) {
    p.onFront = Number.isFinite(p.ns) && Number.isFinite(p.m4) && !points.some((q) => q !== p && Number.isFinite(q.ns) && Number.isFinite(q.m4) && q.ns <= p.ns && q.m4 <= p.m4 && (q.ns < p.ns || q.m4 < p.m4));
  }
  return points;
}

/** Every configuration that ran on a source, with the front marked. */
export function paretoPoints(record: LabRecord, s: SourceRecord): ParetoPoint[] {
  const axes = axesOf(s.allocators.map((a) => a.spec));
  const names = new Set(s.allocators.map((a) => a.name));
  const sums = summarize(record, s);
  const points: ParetoPoint[] = [];
  s.allocators.forEach((a, i) => {
    const r = sums[i]!.result;
    if (!r || !sums[i]!.time) return;
    const o = parseSpec(a.spec).options;
    const settings = Object.fromEntries(axes.map((k) => [k, o[k] ?? 'default']));
    const own = Object.fromEntries(axes.filter((k) => k in o).map((k) => [k, o[k]]));
    const label = names.size > 1 || Object.keys(own).length === 0 ? `${a.name}${Object.keys(own).length ? ` ${settingsLabel(own)}` : ''}` : settingsLabel(own);
    points.push({ spec: a.spec, settings, label, ns: sums[i]!.time!.median, m4: r.m4, onFront: false });
  });
  return markFront(points);
}

const fmt = (n: number, d: number): string => (Number.isFinite(n) ? n.toFixed(d) : '—');

/** The front of every source as a Markdown table, fastest first. */
export function frontTable(record: LabRecord): string {
  const lines = ['| source | settings | ns per event (median) | M4 |', '|---|---|---:|---:|'];
  for (const s of record.sources) {
    const front = paretoPoints(record, s).filter((p) => p.onFront).sort((a, b) => a.ns - b.ns);
    for (const p of front) lines.push(`| ${s.name} | ${p.label} | ${fmt(p.ns, 1)} | ${fmt(p.m4, 3)} |`);
  }
  return lines.join('\n');
}

/** Every point of every source, the front marked. */
export function pointsTable(record: LabRecord): string {
  const lines = ['| source | settings | ns per event (median) | M4 | on the front |', '|---|---|---:|---:|:---:|'];
  for (const s of record.sources) for (const p of paretoPoints(record, s)) lines.push(`| ${s.name} | ${p.label} | ${fmt(p.ns, 1)} | ${fmt(p.m4, 3)} | ${p.onFront ? 'yes' : ''} |`);
  return lines.join('\n');
}

const WIDTH = 560;
const HEIGHT = 360;

/**
 * Where each point's label goes: the M4 its text is drawn at, chosen so that no two labels
 * overlap. Points are taken top to bottom; each label tries offsets above and below its point,
 * nearest first, and keeps the first whose box (about 5.5 px a character, 11 px high, right of
 * the point) meets no box placed before it.
 */
export function labelPositions(points: readonly { ns: number; m4: number; label: string }[], x: [number, number], y: [number, number], width = WIDTH, height = HEIGHT): number[] {
  const px = (ns: number): number => (width * (Math.log(ns) - Math.log(x[0]))) / (Math.log(x[1]) - Math.log(x[0]));
  const py = (m4: number): number => height * (1 - (m4 - y[0]) / (y[1] - y[0]));
  const placed: { x0: number; x1: number; y0: number; y1: number }[] = [];
  const out = new Array<number>(points.length).fill(NaN);
  const order = points.map((_, i) => i).sort((a, b) => points[b]!.m4 - points[a]!.m4);
  for (const i of order) {
    const p = points[i]!;
    if (!Number.isFinite(p.ns) || !Number.isFinite(p.m4)) continue;
    const x0 = px(p.ns) + 7;
    const x1 = x0 + 5.5 * p.label.length;
    let chosen = py(p.m4) - 6;
    for (let k = 0; k < 24; k++) {
      const dy = k % 2 === 0 ? -6 - 6 * k : 6 + 6 * k;
      const c = py(p.m4) + dy;
      const box = { x0, x1, y0: c - 5.5, y1: c + 5.5 };
      if (!placed.some((b) => b.x0 < box.x1 && box.x0 < b.x1 && b.y0 < box.y1 && box.y0 < b.y1)) {
        chosen = c;
        break;
      }
    }
    placed.push({ x0, x1, y0: chosen - 5.5, y1: chosen + 5.5 });
    out[i] = y[0] + (y[1] - y[0]) * (1 - chosen / height);
  }
  return out;
}

/** Time per event against M4 on one source, the front marked, each point labelled. */
export function paretoSpec(record: LabRecord, s: SourceRecord): TopLevelSpec {
  const points = paretoPoints(record, s).filter((p) => Number.isFinite(p.ns) && Number.isFinite(p.m4));
  const nsAll = points.map((p) => p.ns);
  const m4All = points.map((p) => p.m4);
  const xDomain: [number, number] = nsAll.length ? [Math.min(...nsAll) / 1.3, Math.max(...nsAll) * 2.5] : [1, 10];
  const spanM4 = m4All.length ? Math.max(...m4All) - Math.min(...m4All) : 0;
  const pad = Math.max(spanM4 * 0.15, 0.005);
  const yDomain: [number, number] = m4All.length ? [Math.min(...m4All) - pad, Math.max(...m4All) + pad] : [1, 2];
  const at = labelPositions(points, xDomain, yDomain);
  const values = points.map((p, i) => ({ label: p.label, ns: p.ns, m4: p.m4, labelAt: at[i]!, front: p.onFront ? 'on the Pareto front' : 'dominated' }));
  const front = values.filter((v) => v.front === 'on the Pareto front').sort((a, b) => a.ns - b.ns);
  const x = { field: 'ns', type: 'quantitative', title: 'ns per event (median of the timed runs, log scale)', scale: { type: 'log', domain: xDomain, nice: false } } as const;
  const yScale = { domain: yDomain, nice: false, zero: false };
  const y = { field: 'm4', type: 'quantitative', title: 'M4 = peak used / peak live', scale: yScale } as const;
  return {
    $schema: SCHEMA,
    title: { text: `${s.name}: time against fragmentation`, subtitle: 'filled: on the Pareto front (no other setting is both faster and tighter)' },
    width: WIDTH,
    height: HEIGHT,
    layer: [
      { data: { values: front }, mark: { type: 'line', color: '#d62728', strokeDash: [4, 3] }, encoding: { x, y } },
      {
        data: { values },
        mark: { type: 'point', size: 80, strokeWidth: 2 },
        encoding: {
          x,
          y,
          color: { field: 'front', type: 'nominal', title: null, scale: { domain: ['on the Pareto front', 'dominated'], range: ['#d62728', '#1f77b4'] }, legend: { labelLimit: 0, orient: 'bottom' } },
          fill: { condition: { test: "datum.front === 'on the Pareto front'", value: '#d62728' }, value: 'transparent' },
        },
      },
      { data: { values }, mark: { type: 'text', align: 'left', baseline: 'middle', dx: 7, fontSize: 10, limit: 0 }, encoding: { x, y: { field: 'labelAt', type: 'quantitative', scale: yScale }, text: { field: 'label' } } },
    ],
  } as TopLevelSpec;
}

/** M4 against one axis on one source, one line per setting of the other axes. */
export function axisSpec(record: LabRecord, s: SourceRecord, axis: string): TopLevelSpec {
  const points = paretoPoints(record, s);
  const order = [...new Set(points.map((p) => p.settings[axis]))].sort((a, b) => (typeof a === 'number' && typeof b === 'number' ? a - b : String(a).localeCompare(String(b))));
  const text = (v: unknown): string => (typeof v === 'number' ? sizeText(v) : String(v));
  const values = points.map((p) => {
    const others = Object.fromEntries(Object.entries(p.settings).filter(([k]) => k !== axis));
    return { at: text(p.settings[axis]), m4: p.m4, fixed: Object.keys(others).length > 0 ? settingsLabel(others) : 'all' };
  });
  return {
    $schema: SCHEMA,
    title: { text: `${s.name}: M4 against ${axis}`, subtitle: 'one line per setting of the other options, held fixed' },
    width: 420,
    height: 280,
    data: { values },
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: 'at', type: 'ordinal', title: axis, sort: order.map(text), axis: { labelAngle: 0 } },
      y: { field: 'm4', type: 'quantitative', title: 'M4 = peak used / peak live', scale: { zero: false } },
      color: { field: 'fixed', type: 'nominal', title: 'held fixed', legend: { labelLimit: 0 } },
    },
  } as TopLevelSpec;
}
