/*
 * Two records compared (`heaplab lab diff A B`): for every (source, allocator) both measured over
 * the same events, B's median time over A's with a bootstrap interval (stats.ts) and a verdict —
 * faster, slower, or not distinguishable at the noise the runs show — and whether the memory
 * figures changed (they are deterministic, so any difference is a change of the allocator or the
 * plan, never noise). Pairs measured over different events (another window, another source
 * digest) are listed as not comparable.
 */

import type { AllocatorRecord, LabRecord, RawRun, SourceRecord } from './api.js';
import { runsNs } from './summary.js';
import { verdict } from './stats.js';

/** The memory figures a diff compares (all deterministic). */
export const MEMORY_FIGURES = ['m1', 'm2', 'm3', 'm4', 'used.peak', 'live.peak', 'mapped.peak', 'committed.peak', 'syscalls.total', 'failures'] as const;

/** One row of a diff. */
export interface DiffRow {
  source: string;
  allocator: string;
  /** Null when the pair cannot be compared (`why` says why). */
  time: ReturnType<typeof verdict> | null;
  /** The memory figures that differ, as [name, A, B]. */
  memory: [string, number, number][];
  why: string | null;
}

function figure(r: RawRun, path: string): number {
  let v: unknown = r;
  for (const k of path.split('.')) v = (v as Record<string, unknown>)[k];
  return typeof v === 'number' ? v : NaN;
}

function pair(sa: SourceRecord, sb: SourceRecord, a: AllocatorRecord, b: AllocatorRecord): DiffRow {
  const row: DiffRow = { source: sa.name, allocator: a.spec, time: null, memory: [], why: null };
  if (sa.sha256 !== sb.sha256) row.why = 'the source differs (sha256)';
  else if (a.window !== b.window) row.why = `windows differ (${a.window ?? 'whole'} vs ${b.window ?? 'whole'})`;
  else if (a.timed.length === 0 || b.timed.length === 0) row.why = `no timed runs in ${a.timed.length === 0 ? 'A' : 'B'}${(a.error ?? b.error) ? `: ${a.error ?? b.error}` : ''}`;
  if (row.why !== null) return row;
  row.time = verdict(runsNs(a.timed), runsNs(b.timed));
  if (a.footprint && b.footprint) {
    for (const f of MEMORY_FIGURES) {
      const x = figure(a.footprint, f);
      const y = figure(b.footprint, f);
      if (!(x === y || (Number.isNaN(x) && Number.isNaN(y)))) row.memory.push([f, x, y]);
    }
  }
  return row;
}

/** Every comparable pair of two records, by source name and allocator spec. */
export function diffRecords(a: LabRecord, b: LabRecord): DiffRow[] {
  const rows: DiffRow[] = [];
  for (const sa of a.sources) {
    const sb = b.sources.find((x) => x.name === sa.name);
    if (!sb) continue;
    for (const x of sa.allocators) {
      const y = sb.allocators.find((z) => z.spec === x.spec);
      if (y) rows.push(pair(sa, sb, x, y));
    }
  }
  return rows;
}

/** A diff as lines of text. */
export function diffText(a: LabRecord, b: LabRecord, rows: readonly DiffRow[]): string[] {
  const lines = [`A ${a.id} (${a.provenance.commit?.slice(0, 10) ?? 'no commit'}${a.provenance.dirty ? ', dirty' : ''})`, `B ${b.id} (${b.provenance.commit?.slice(0, 10) ?? 'no commit'}${b.provenance.dirty ? ', dirty' : ''})`];
  if (rows.length === 0) lines.push('no (source, allocator) pair in common');
  for (const r of rows) {
    const head = `${r.source} ${r.allocator}:`;
    if (r.time === null) {
      lines.push(`${head} not comparable: ${r.why}`);
      continue;
    }
    const t = r.time;
    lines.push(`${head} time B/A ${t.ratio.toFixed(3)} (95% interval ${t.lo.toFixed(3)}–${t.hi.toFixed(3)}): ${t.verdict === 'not distinguishable' ? 'not distinguishable at the measured noise' : `B is ${t.verdict}`}; memory ${r.memory.length === 0 ? 'identical' : r.memory.map(([f, x, y]) => `${f} ${x} → ${y}`).join(', ')}`);
  }
  return lines;
}
