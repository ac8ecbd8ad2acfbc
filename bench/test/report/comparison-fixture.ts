/*
 * A small Comparison for the report's tests, made without compare(): each allocator replays each
 * source once with footprint touch through core's engine (its time is that run's), the source's
 * sizes and peak live come from traceStats, and native figures are whatever the test passes in.
 * The report reads only the Comparison's shape (compare.ts's types), so its tests do not depend
 * on how a comparison is planned and run.
 */

import { combineRuns, prepareReplay, runReplay } from '@heaplab/core';
import { comparedFactory } from '../../src/adapters/index.js';
import type { NativeFigures } from '../../src/metrics/table.js';
import type { AllocatorResult, Comparison, SourceResult } from '../../src/report/compare.js';
import { limitSource, openSource, sourceName, type SourceSpec } from '../../src/report/sources.js';
import { traceStats } from '../../src/report/trace-stats.js';

export interface FixturePlan {
  allocators: string[];
  sources: SourceSpec[];
  /** Events replayed of each source by these allocators. */
  windows?: Record<string, number>;
  /** Native figures per source name. */
  native?: Record<string, NativeFigures[]>;
  nativeSkipped?: string[];
  sampleEvery?: number;
}

export async function fixtureComparison(plan: FixturePlan): Promise<Comparison> {
  const sources: SourceResult[] = [];
  for (const spec of plan.sources) {
    const name = sourceName(spec);
    const source = openSource(spec);
    const profile = await traceStats(source);
    const allocators: AllocatorResult[] = [];
    for (const a of plan.allocators) {
      const w = plan.windows?.[a];
      const window = w !== undefined && w < profile.events ? w : null;
      const trace = await prepareReplay(window === null ? source : limitSource(source, window));
      const options = { touch: 'footprint' as const, series: true, sampleEvery: plan.sampleEvery ?? 500 };
      const run = await runReplay(trace, comparedFactory(a), options);
      const { series, ...result } = combineRuns(trace, [run], options);
      allocators.push({ name: a, label: run.allocator, window, result, series: series ? { event: [...series.event], used: [...series.used], live: [...series.live] } : null, error: null });
    }
    sources.push({
      name,
      spec,
      label: name,
      program: profile.program,
      events: profile.events,
      requests: profile.requests,
      under100: profile.under100,
      peakLive: profile.peakLiveBytes,
      sizes: profile.sizes,
      allocators,
      native: plan.native?.[name] ?? [],
      nativeSkipped: plan.nativeSkipped ?? [],
    });
  }
  return { heaplabComparison: 1, date: new Date().toISOString(), node: process.version, cpus: 1, repeat: 1, seconds: 0, sources, shared: [] };
}
