/*
 * From a record's raw runs to the figures tables show: per allocator on a source, the footprint
 * run's memory figures with the timed runs' median time (a ReplayResult, as core's replay gives),
 * its spread, and its ratio to glibc over the same events with a bootstrap interval; per native
 * allocator, the median over rounds with the footprint run's peak. Nothing here measures: the same
 * record always gives the same summary.
 */

import { median, type ReplayResult } from '@heaplab/core';
import { combineNative } from '../metrics/native.js';
import type { NativeFigures } from '../metrics/table.js';
import type { AllocatorRecord, AllocatorSummary, LabRecord, RawRun, SourceRecord } from './api.js';
import { ratioInterval, spread } from './stats.js';

/** ns per replayed event of each timed run. */
export function runsNs(runs: readonly RawRun[]): number[] {
  return runs.map((r) => (r.replayed > 0 ? r.ns / r.replayed : NaN));
}

/** The ReplayResult of one allocator on a source: footprint figures, median time; null when it did not run. */
export function replayResultOf(record: LabRecord, s: SourceRecord, a: AllocatorRecord): ReplayResult | null {
  if (a.footprint === null || a.anomalies === null || a.timed.length === 0) return null;
  const per = runsNs(a.timed);
  return {
    ...a.footprint,
    series: a.series ? { event: a.series.event, live: a.series.live, used: a.series.used, mapped: [], committed: [] } : null,
    allocator: a.label,
    allocatorName: a.spec,
    source: s.name,
    program: s.program,
    // Memory figures come from the footprint run; the time from the timed runs (plan.touch).
    touch: 'footprint',
    nsPerEvent: median(per),
    runsNsPerEvent: per,
    minorFaultsMedian: median(a.timed.map((r) => r.minorFaults)),
    anomalies: a.anomalies,
    sampling: { every: record.plan.sampleEvery ?? 4096, peakGrowth: 0.01, samples: record.plan.touch === 'footprint' ? 'periodic' : 'end' },
  };
}

/** glibc's per-run times over the events an allocator replayed (its window, or the whole source). */
export function glibcRunsFor(s: SourceRecord, window: number | null): number[] {
  const n = s.native.find((x) => x.window === window) ?? (window === null ? undefined : null);
  if (!n) return [];
  return n.runs.flatMap((round) => round.filter((f) => f.name === 'glibc').flatMap((f) => f.runsNsPerEvent));
}

/** Every allocator of a source, summarised. */
export function summarize(record: LabRecord, s: SourceRecord): AllocatorSummary[] {
  return s.allocators.map((a) => {
    const result = replayResultOf(record, s, a);
    const per = runsNs(a.timed);
    const glibc = glibcRunsFor(s, a.window);
    return {
      spec: a.spec,
      result,
      time: per.length > 0 ? spread(per, record.plan.noisyAbove) : null,
      toGlibc: per.length > 0 && glibc.length > 0 ? ratioInterval(per, glibc) : null,
      window: a.window,
      error: a.error,
      skipped: a.skipped,
    };
  });
}

/** The native allocators on the whole source: median time over rounds, footprint from the footprint run. */
export function nativeSummary(s: SourceRecord): NativeFigures[] {
  const whole = s.native.find((n) => n.window === null);
  if (!whole) return [];
  // Footprint and what it is made of (gross RSS, the driver's baseline) come from the footprint run.
  return combineNative(whole.runs).map((n) => {
    const f = whole.footprint.find((x) => x.name === n.name);
    const { baseline: _b, grossRss: _g, ...timed } = n;
    return { ...timed, footprint: f?.footprint ?? NaN, ...(f?.baseline !== undefined ? { baseline: f.baseline } : {}), ...(f?.grossRss !== undefined ? { grossRss: f.grossRss } : {}) };
  });
}

/** glibc on each shorter window (median over rounds). */
export function nativeWindows(s: SourceRecord): { events: number; glibc: NativeFigures }[] {
  return s.native.flatMap((n) => {
    if (n.window === null) return [];
    const g = combineNative(n.runs).find((f) => f.name === 'glibc');
    return g ? [{ events: n.window, glibc: g }] : [];
  });
}
