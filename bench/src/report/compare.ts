/*
 * A comparison for the report: a plan run by the experiment protocol (bench/src/lab/run.ts, which
 * alone decides how runs are made, interleaved and isolated), turned into the shape the tables,
 * plots and README sections read — one entry per source with every allocator's figures (memory
 * from its footprint run, time the median of its timed runs, every run's time kept for the
 * spread) and the native allocators' — plus, where the plan has producer-consumer, that workload
 * across two worker threads for the shareable allocators. The record the figures come from is
 * named (`record`), with its provenance.
 */

import type { ReplayResult } from '@heaplab/core';
import type { LabRecord, Provenance, ResolvedPlan } from '../lab/api.js';
import { runPlan } from '../lab/run.js';
import { nativeSummary, nativeWindows, summarize } from '../lab/summary.js';
import type { NativeFigures } from '../metrics/table.js';
import type { SourceSpec } from './sources.js';
import type { SizeBucket } from './trace-stats.js';
import { SHAREABLE, runSharedProducerConsumer, type SharedRunResult } from '../workloads/shared-run.js';

export { thinSeries } from '../lab/run.js';

/** How a comparison runs (none of it changes a figure). */
export interface CompareOptions {
  /** Append the record to this ledger; null: none. */
  ledger: string | null;
  /** Progress bar on stderr. Default true. */
  progress?: boolean;
  /** Also run producer-consumer across two workers for the shareable allocators (when both are in the plan). Default true. */
  shared?: boolean;
}

/** The footprint series of a run, thinned to at most `seriesPoints` samples. */
export interface Series {
  event: number[];
  used: number[];
  live: number[];
}

/** One allocator on one source. */
export interface AllocatorResult {
  name: string;
  label: string;
  /** Events replayed when the allocator had a shorter window, else null. */
  window: number | null;
  /** The figures (first footprint run) with time from the speed runs; null when it failed. */
  result: Omit<ReplayResult, 'series'> | null;
  series: Series | null;
  /** Why it has no figures: its error, or the plan's reason for leaving it out (`skipped`). */
  error: string | null;
  skipped?: boolean;
}

/** One source with every allocator's results. */
export interface SourceResult {
  name: string;
  spec: SourceSpec;
  label: string;
  program: string;
  events: number;
  requests: number;
  under100: number;
  peakLive: number;
  sizes: SizeBucket[];
  allocators: AllocatorResult[];
  native: NativeFigures[];
  /**
   * glibc's time over each shorter window an allocator replayed (same events, same rounds), so
   * a windowed allocator's time is divided by glibc's over the same events: the first events of
   * a source hold the heap's growth and its first touches of fresh pages.
   */
  nativeWindows?: { events: number; glibc: NativeFigures }[];
  nativeSkipped: string[];
}

/** A whole comparison, as JSON. */
export interface Comparison {
  heaplabComparison: 1;
  /** The ledger record the figures come from (absent in comparisons saved by older versions). */
  record?: string;
  /** Where and with what the record was made. */
  provenance?: Provenance;
  date: string;
  node: string;
  cpus: number;
  repeat: number;
  seconds: number;
  sources: SourceResult[];
  /** producer-consumer with the producer and the consumer in two workers (shared-run.ts). */
  shared: SharedRunResult[];
}

/** Runs a plan through the protocol and shapes its record for the report. `log` gets one line per finished source. */
export async function compare(plan: ResolvedPlan, options: CompareOptions, log: (line: string) => void = () => {}): Promise<Comparison> {
  const record = await runPlan(plan, { ledger: options.ledger, log, progress: options.progress });
  const c = toComparison(record);
  const pc = plan.sources.find((s) => s.source.kind === 'workload' && s.source.name === 'producer-consumer')?.source;
  if (options.shared !== false && pc?.kind === 'workload') {
    for (const a of plan.specs.filter((s) => (SHAREABLE as readonly string[]).includes(s.spec))) {
      const r = await runSharedProducerConsumer({ seed: pc.seed, ops: pc.ops });
      c.shared.push(r);
      log(`producer-consumer across 2 workers, ${a.spec}: ${r.nsPerEvent.toFixed(0)} ns per event, ${r.producer.failures + r.consumer.failures} failures, ${r.consumer.broken} broken blocks`);
    }
  }
  return c;
}

/** A record as a comparison (what the report, the tables and the README sections read). */
export function toComparison(record: LabRecord): Comparison {
  return {
    heaplabComparison: 1,
    record: record.id,
    provenance: record.provenance,
    date: record.provenance.date,
    node: record.provenance.node,
    cpus: record.provenance.cpu.count,
    repeat: record.plan.runs,
    seconds: record.provenance.seconds,
    sources: record.sources.map((s): SourceResult => {
      const sums = summarize(record, s);
      return {
        name: s.name,
        spec: s.spec,
        label: s.name,
        program: s.program,
        events: s.events,
        requests: s.requests,
        under100: s.under100,
        peakLive: s.peakLive,
        sizes: s.sizes,
        allocators: s.allocators.map((a, i): AllocatorResult => {
          const r = sums[i]!.result;
          const { series: _s, ...figures } = r ?? { series: null };
          return {
            name: a.spec,
            label: a.label,
            window: a.window,
            result: r ? (figures as Omit<ReplayResult, 'series'>) : null,
            series: a.series,
            error: a.error,
            ...(a.skipped ? { skipped: true } : {}),
          };
        }),
        native: nativeSummary(s),
        nativeWindows: nativeWindows(s),
        nativeSkipped: s.nativeSkipped,
      };
    }),
    shared: [],
  };
}
