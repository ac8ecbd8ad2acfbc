/*
 * The comparison as tables: one row per source, one column per allocator (heaplab's, then the
 * native ones), for each figure — time per event, time as a ratio to glibc and to
 * @thi.ng/malloc, M4, M1, internal fragmentation — with a geometric-mean row for ratios.
 * A Grid is plain strings; it renders as a terminal table (cli-table3) or as Markdown. Allocators
 * are named by name, never by instance label (`bump-freestack`, not `bump-freestack#487`, whose
 * number only says how many instances the process made before): labels in results and error
 * messages are cut back to the name.
 */

import Table from 'cli-table3';
import type { Comparison, SourceResult } from './compare.js';
import { ratioInterval, spread } from '../lab/stats.js';

/** Where the @thi.ng/malloc adapter's column comes from. */
export const THING = 'thing-malloc';

/** A titled table of strings. */
export interface Grid {
  title: string;
  head: string[];
  rows: string[][];
  notes: string[];
}

/** Text with every instance label (`name#123`) cut back to its name. */
export function withoutInstanceIds(text: string): string {
  return text.replace(/([A-Za-z][\w.-]*)#\d+\b/g, '$1');
}

/** A value per (source, column): ns, a ratio, a measure; NaN when there is none. */
type Cell = (s: SourceResult, column: string) => number;

/** Columns: heaplab allocators in plan order, then native ones in the order first seen. */
export function columns(c: Comparison): { heaplab: string[]; native: string[] } {
  const heaplab: string[] = [];
  const native: string[] = [];
  for (const s of c.sources) {
    for (const a of s.allocators) if (!heaplab.includes(a.name)) heaplab.push(a.name);
    for (const n of s.native) if (!native.includes(n.name)) native.push(n.name);
  }
  return { heaplab, native };
}

/** ns per event of a column on a source (heaplab or native), NaN when it did not run. */
export function nsOf(s: SourceResult, column: string): number {
  const a = s.allocators.find((x) => x.name === column);
  if (a) return a.result?.nsPerEvent ?? NaN;
  return s.native.find((n) => n.name === column)?.nsPerEvent ?? NaN;
}

/**
 * glibc's ns per event over the events `column` replayed: its window's run when the column
 * replayed a shorter window (and glibc ran on it), else glibc's over the whole source.
 */
export function glibcNsFor(s: SourceResult, column: string): number {
  const w = s.allocators.find((x) => x.name === column)?.window ?? null;
  if (w !== null) {
    const g = s.nativeWindows?.find((x) => x.events === w)?.glibc;
    if (g) return g.nsPerEvent;
  }
  return nsOf(s, 'glibc');
}

/** M4 of a column: heaplab's peak used / peak live; native: peak RSS less the driver's own baseline / the trace's peak live. */
export function m4Of(s: SourceResult, column: string): number {
  const a = s.allocators.find((x) => x.name === column);
  if (a) return a.result?.m4 ?? NaN;
  const n = s.native.find((x) => x.name === column);
  return n && s.peakLive > 0 ? n.footprint / s.peakLive : NaN;
}

function geomean(xs: number[]): number {
  const ok = xs.filter((x) => Number.isFinite(x) && x > 0);
  return ok.length === 0 ? NaN : Math.exp(ok.reduce((a, x) => a + Math.log(x), 0) / ok.length);
}

function fmt(n: number, digits: number): string {
  if (!Number.isFinite(n)) return '—';
  if (Math.abs(n) >= 1000) return n.toFixed(0);
  return n.toFixed(digits);
}

/** A cell's text when it says more than its number (a spread, an interval); null: the number alone. */
type CellText = (s: SourceResult, column: string, value: number) => string | null;

function grid(c: Comparison, title: string, cell: Cell, digits: number, withMean: boolean, notes: string[] = [], withNative = true, text?: CellText): Grid {
  const { heaplab } = columns(c);
  const native = withNative ? columns(c).native : [];
  const cols = [...heaplab, ...native];
  const head = ['source', ...heaplab, ...native.map((n) => `${n} (native)`)];
  const rows = c.sources.map((s) => [s.name, ...cols.map((col) => {
    const v = cell(s, col);
    return (Number.isFinite(v) ? text?.(s, col, v) : null) ?? fmt(v, digits);
  })]);
  if (withMean && c.sources.length > 1) rows.push(['geometric mean', ...cols.map((col) => fmt(geomean(c.sources.map((s) => cell(s, col))), digits))]);
  return { title, head, rows, notes };
}

/** Every run's ns per event of a column on a source (heaplab or native). */
export function runsOf(s: SourceResult, column: string): number[] {
  const a = s.allocators.find((x) => x.name === column);
  if (a) return a.result?.runsNsPerEvent ?? [];
  return s.native.find((n) => n.name === column)?.runsNsPerEvent ?? [];
}

/** glibc's runs over the events `column` replayed (its window's when glibc ran on it). */
function glibcRunsFor(s: SourceResult, column: string): number[] {
  const w = s.allocators.find((x) => x.name === column)?.window ?? null;
  const g = w !== null ? s.nativeWindows?.find((x) => x.events === w)?.glibc : undefined;
  return g?.runsNsPerEvent ?? runsOf(s, 'glibc');
}

const spreadCell: CellText = (s, col) => {
  const r = runsOf(s, col);
  if (r.length < 2) return null;
  const sp = spread(r);
  const d = (n: number): string => fmt(n, 1);
  return `${d(sp.median)} (${d(sp.min)}–${d(sp.max)})${sp.noisy ? '*' : ''}`;
};

const intervalCell: CellText = (s, col) => {
  const a = runsOf(s, col);
  const g = glibcRunsFor(s, col);
  if (a.length < 2 || g.length < 2) return null;
  const r = ratioInterval(a, g);
  return Number.isFinite(r.lo) ? `${fmt(r.ratio, 2)} (${fmt(r.lo, 2)}–${fmt(r.hi, 2)})` : null;
};

/** Under the ÷ glibc table: which windowed ratios divide by glibc over the whole source instead. */
function sameEventsNote(c: Comparison): string[] {
  const missing: string[] = [];
  for (const s of c.sources) {
    for (const a of s.allocators) {
      if (a.window !== null && !s.nativeWindows?.some((x) => x.events === a.window)) missing.push(`${a.name} on ${s.name}`);
    }
  }
  return missing.length === 0
    ? ['An allocator that replayed a shorter window is divided by glibc replaying the same window.']
    : [`glibc did not replay these windows, so their ratio is to glibc over the whole source: ${missing.join(', ')}.`];
}

function mib(bytes: number): string {
  return Number.isFinite(bytes) ? (bytes / 2 ** 20).toFixed(2) : '—';
}

/**
 * The native footprints with what they are made of: peak RSS less the driver's own baseline
 * (bench/native/README.md, "Footprint"), in MiB; null when no native figure has a baseline.
 */
export function nativeFootprintGrid(c: Comparison): Grid | null {
  const { native } = columns(c);
  if (!c.sources.some((s) => s.native.some((n) => n.baseline !== undefined))) return null;
  const rows = c.sources.map((s) => [
    s.name,
    ...native.map((col) => {
      const n = s.native.find((x) => x.name === col);
      if (!n) return '—';
      if (n.baseline === undefined) return mib(n.footprint);
      // gross and baseline of the footprint run: footprint = gross − baseline, or the peak live it was raised to
      const net = n.grossRss === undefined ? NaN : n.grossRss - n.baseline;
      if (Math.abs(net - n.footprint) < 1) return `${mib(n.footprint)} = ${mib(n.grossRss!)} − ${mib(n.baseline)}`;
      if (net < n.footprint && Math.abs(n.footprint - s.peakLive) < 1) return `${mib(n.footprint)} (raised to peak live from ${mib(n.grossRss!)} − ${mib(n.baseline)})`;
      return `${mib(n.footprint)} (baseline ${mib(n.baseline)})`;
    }),
    mib(s.peakLive),
  ]);
  return {
    title: 'Native footprint, MiB = peak RSS − the driver\'s own baseline (footprint touch)',
    head: ['source', ...native.map((n) => `${n} (native)`), 'peak live'],
    rows,
    notes: [
      'The baseline is what the driver holds itself before the replay: its code and libraries, the memory it started with and its event array (24 bytes an event). Heap pages the allocator made resident before the replay count as its own, and peak RSS is read at the event of peak live too (VmHWM can lag it), so a footprint is never below the peak live bytes.',
    ],
  };
}

/** The tables of a comparison, in the order the report prints them. */
export function comparisonGrids(c: Comparison): Grid[] {
  const windowed = new Map<string, string[]>();
  for (const s of c.sources) for (const a of s.allocators) if (a.window !== null) windowed.set(a.name, [...(windowed.get(a.name) ?? []), `${s.name} ${a.window.toLocaleString('en-US')}`]);
  const windowNote = [...windowed].map(([n, w]) => `${n} replays only the first events of some sources (its window in the plan, the same on every machine): ${w.join(', ')}; its figures are per event over that window.`);
  const skipped = c.sources.flatMap((s) => s.allocators.filter((a) => a.skipped).map((a) => `${a.name} on ${s.name}: ${a.error}`));
  if (skipped.length > 0) windowNote.push(`Left out by the plan: ${skipped.join('; ')}.`);
  windowNote.push(`Each time is the median (min–max) of ${c.repeat} interleaved runs, each allocator in its own isolate; * marks a noisy one (interquartile range over 10 % of the median)${c.record ? `; record ${c.record}` : ''}.`);
  const hasGlibc = c.sources.some((s) => s.native.some((n) => n.name === 'glibc'));
  const hasThing = c.sources.some((s) => s.allocators.some((a) => a.name === THING && a.result));
  const grids: Grid[] = [grid(c, `Time per event, ns (median (min–max) of ${c.repeat} runs, speed touch)`, nsOf, 1, false, windowNote, true, spreadCell)];
  if (hasGlibc) grids.push(grid(c, 'Time per event ÷ glibc (native, same events; 95% bootstrap interval)', (s, col) => nsOf(s, col) / glibcNsFor(s, col), 2, true, sameEventsNote(c), true, intervalCell));
  if (hasThing) grids.push(grid(c, 'Time per event ÷ @thi.ng/malloc', (s, col) => nsOf(s, col) / nsOf(s, THING), 4, true));
  grids.push(grid(c, 'M4 = peak used / peak live (footprint touch; native: peak RSS less the driver\'s own baseline, over the trace\'s peak live)', m4Of, 3, true));
  grids.push(grid(c, 'Outside the space: peak bytes an allocator holds in JavaScript objects ÷ peak live (stats().externalBytes; M4 does not count them, so this is what it would gain at most)', (s, col) => {
    const r = s.allocators.find((a) => a.name === col)?.result;
    return r?.external ? r.external.peak / r.live.peak : NaN;
  }, 3, false, [], false));
  const baselines = nativeFootprintGrid(c);
  if (baselines) grids.push(baselines);
  grids.push(grid(c, 'M1 = mean over events of used / live', (s, col) => s.allocators.find((a) => a.name === col)?.result?.m1 ?? NaN, 3, true, [], false));
  grids.push(grid(c, 'Internal fragmentation, % (usable / requested − 1 at the most live bytes)', (s, col) => 100 * (s.allocators.find((a) => a.name === col)?.result?.internal.ratio ?? NaN), 1, false, [], false));
  if ((c.shared ?? []).length > 0) {
    grids.push({
      title: 'producer-consumer across 2 workers (mallocs in one, frees in the other, one shared heap)',
      head: ['allocator', 'events', 'ns per event (wall, slower side)', 'producer ms', 'consumer ms', 'failures', 'broken blocks', 'check() after'],
      rows: c.shared.map((r) => [withoutInstanceIds(r.allocator), String(r.events), fmt(r.nsPerEvent, 1), fmt(r.producer.ms, 0), fmt(r.consumer.ms, 0), String(r.producer.failures + r.consumer.failures), String(r.consumer.broken), withoutInstanceIds(r.check ?? 'passes')]),
      notes: [],
    });
  }
  return grids;
}

/** Lines on what did not run: failed allocators, skipped natives. */
export function comparisonNotes(c: Comparison): string[] {
  const notes: string[] = [];
  for (const s of c.sources) for (const a of s.allocators) if (a.error) notes.push(withoutInstanceIds(`${a.name} failed on ${s.name}: ${a.error}`));
  const skipped = new Set(c.sources.flatMap((s) => s.nativeSkipped));
  for (const k of skipped) notes.push(`native: ${k}`);
  return notes;
}

/** A grid as a terminal table. */
export function terminalTable(g: Grid): string {
  const t = new Table({ head: g.head, style: { head: [], border: [] } });
  for (const r of g.rows) t.push(r);
  return [g.title, t.toString(), ...g.notes].join('\n');
}

function mdCell(s: string): string {
  return s.replace(/\|/g, '\\|');
}

/** A grid as a Markdown table under a heading of `level`. */
export function markdownTable(g: Grid, level = 3): string {
  const lines = [`${'#'.repeat(level)} ${g.title}`, '', `| ${g.head.map(mdCell).join(' | ')} |`, `|${g.head.map((_, i) => (i === 0 ? ' --- ' : ' ---: ')).join('|')}|`];
  for (const r of g.rows) lines.push(`| ${r.map(mdCell).join(' | ')} |`);
  if (g.notes.length > 0) lines.push('', ...g.notes);
  return lines.join('\n');
}
