/*
 * A comparison: every chosen allocator on every chosen source, with the native allocators of
 * the driver in the same run. Per source:
 *   1. one pass over the events (sources.ts): size histogram, peak live bytes;
 *   2. the events decoded once (prepareReplay) — and, for allocators with a shorter window,
 *      the first `window` events of them;
 *   3. `repeat` rounds, interleaved: in each, one speed-touch run of every allocator, then the
 *      native driver (glibc and whatever else is installed) on the same events as a binary file,
 *      and glibc alone on each shorter window (below) so every ratio to glibc is over the same
 *      events;
 *   4. one footprint-touch run of each allocator, with its sampled series, for the memory figures
 *      (as `heaplab replay` does: a speed run leaves large blocks' insides unwritten).
 * Time per event is the median over the rounds. An allocator that throws is recorded with its
 * error and the comparison goes on. The result is plain JSON (`--json`, and the report's input).
 *
 * The shorter window: an allocator that is slow per event — @thi.ng/malloc frees in O(live
 * blocks), so does a first-fit list — replays only the first `window` events of a source, and
 * its figures say so. Before the timed rounds each allocator replays the first PROBE_EVENTS
 * events and the first 2 × PROBE_EVENTS (which also warms the JIT; once more when over budget, as
 * a cold JIT is slow); the estimate is the cost per event of the second PROBE_EVENTS (the first
 * hold most of a heap's growth and its first touches of fresh pages);
 * when its ns per event × events × (repeat + 1) would pass `budgetSeconds`, its window is what
 * fits the budget (never under PROBE_EVENTS, rounded
 * down to 10,000). Time is per event either way, but the first events of a source hold the heap's
 * growth (and its first touches of fresh pages), so a windowed allocator's ratio to glibc divides
 * by glibc's time over the same window. `windows` fixes a window by name instead.
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { combineRuns, prepareReplay, runReplay, withTimeOf, writeTrace, type PreparedTrace, type ReplayResult, type RunFigures } from '@heaplab/core';
import { comparedFactory } from '../adapters/index.js';
import { combineNative, runNative, type NativeRun } from '../metrics/native.js';
import type { NativeFigures } from '../metrics/table.js';
import { limitSource, openSource, sourceName, type SourceSpec } from './sources.js';
import { traceStats, type SizeBucket } from './trace-stats.js';
import { progressBar } from './progress.js';
import { SHAREABLE, runSharedProducerConsumer, type SharedRunResult } from '../workloads/shared-run.js';

/** Events of the probe run that estimates an allocator's time on a source. */
export const PROBE_EVENTS = 30_000;
/**
 * Seconds an allocator may spend on one source (all its runs) before it gets a shorter window.
 * 2 s keeps `npm run bench` (8 workloads + 4 bundled traces × 6 allocators, each also sampled
 * and replayed once more for footprint) under 5 minutes on 2 loaded cores.
 */
export const DEFAULT_BUDGET_SECONDS = 2;

/** What to compare and how. */
export interface ComparisonPlan {
  allocators: string[];
  sources: SourceSpec[];
  /** Timed rounds; time is their median. Default 3. */
  repeat?: number;
  /** Also run the native driver. Default true. */
  native?: boolean;
  /** Each run's space, MiB. Default 4096. */
  spaceMib?: number;
  /** Sample the space every N events. Default the engine's (4096). */
  sampleEvery?: number;
  /** Seconds one allocator may spend on one source before it gets a shorter window. Default DEFAULT_BUDGET_SECONDS; Infinity: never. */
  budgetSeconds?: number;
  /** Fixed windows by allocator name (events replayed of each source at most). */
  windows?: Readonly<Record<string, number>>;
  /** Points kept of each footprint series. Default 400. */
  seriesPoints?: number;
  /** Progress on stderr (a bar on a TTY after a second). Default true. */
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
  error: string | null;
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
   * a source hold the heap's growth and its first touches of fresh pages. Absent in comparisons
   * made before 2026-12-01.
   */
  nativeWindows?: { events: number; glibc: NativeFigures }[];
  nativeSkipped: string[];
}

/** A whole comparison, as JSON. */
export interface Comparison {
  heaplabComparison: 1;
  date: string;
  node: string;
  cpus: number;
  repeat: number;
  seconds: number;
  sources: SourceResult[];
  /** producer-consumer with the producer and the consumer in two workers (shared-run.ts). */
  shared: SharedRunResult[];
}

type Run = RunFigures & { allocator: string; allocatorName: string };

/** Keeps about `points` samples, always the first, the last and the sample of peak used. */
export function thinSeries(s: { event: number[]; used: number[]; live: number[] }, points: number): Series {
  const n = s.event.length;
  if (n <= points) return { event: [...s.event], used: [...s.used], live: [...s.live] };
  const step = n / points;
  let peak = 0;
  for (let i = 1; i < n; i++) if (s.used[i]! > s.used[peak]!) peak = i;
  const keep = new Set<number>([0, n - 1, peak]);
  for (let k = 0; k < points; k++) keep.add(Math.floor(k * step));
  const idx = [...keep].sort((a, b) => a - b);
  return { event: idx.map((i) => s.event[i]!), used: idx.map((i) => s.used[i]!), live: idx.map((i) => s.live[i]!) };
}

function message(e: unknown): string {
  return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
}

/** Runs a plan. `log` gets one line per finished source. */
export async function compare(plan: ComparisonPlan, log: (line: string) => void = () => {}): Promise<Comparison> {
  const t0 = performance.now();
  const repeat = plan.repeat ?? 3;
  if (!Number.isInteger(repeat) || repeat < 1) throw new RangeError(`repeat must be a positive integer, got ${repeat}`);
  if (plan.allocators.length === 0) throw new RangeError('compare: no allocators');
  if (plan.sources.length === 0) throw new RangeError('compare: no sources');
  const factories = plan.allocators.map((n) => comparedFactory(n));
  const windows = plan.windows ?? {};
  const budget = plan.budgetSeconds ?? DEFAULT_BUDGET_SECONDS;
  if (!(budget > 0)) throw new RangeError(`budgetSeconds must be positive, got ${budget}`);
  const spaceMib = plan.spaceMib ?? 4096;
  const runOptions = { sampleEvery: plan.sampleEvery, space: { size: spaceMib * 2 ** 20 } };
  // Native runs stay on until a run finds no native allocator at all (driver not built).
  let native = plan.native ?? true;
  const nativeSkips = new Set<string>();
  const perSource = plan.allocators.length * (repeat + 1) + (native ? repeat + 1 : 0) + 1;
  const bar = progressBar(plan.sources.length * perSource, { enabled: plan.progress === false ? false : undefined });
  const out: SourceResult[] = [];
  try {
    for (const spec of plan.sources) {
      const name = sourceName(spec);
      bar.label(`${name}: reading`);
      const source = openSource(spec);
      const profile = await traceStats(source);
      const full = await prepareReplay(source);
      const traces = new Map<number, PreparedTrace>();
      const traceOf = (i: number): PreparedTrace => traces.get(i) ?? full;
      const probe = full.events > PROBE_EVENTS ? await prepareReplay(limitSource(source, PROBE_EVENTS)) : full;
      const probe2 = full.events > 2 * PROBE_EVENTS ? await prepareReplay(limitSource(source, 2 * PROBE_EVENTS)) : null;
      for (const [i, a] of plan.allocators.entries()) {
        let w = windows[a];
        if (w === undefined && Number.isFinite(budget)) {
          bar.label(`${name}: ${a} probe`);
          try {
            const probeOnce = async (): Promise<number> => {
              const p = await runReplay(probe, factories[i]!, { ...runOptions, touch: 'speed', samples: 'end', series: false });
              if (probe2 === null) return p.ns / 1e9 / Math.max(1, p.replayed);
              // The cost of the second PROBE_EVENTS events, past most of the heap's growth, whose
              // first touches would make the whole source look dearer than it is.
              const q = await runReplay(probe2, factories[i]!, { ...runOptions, touch: 'speed', samples: 'end', series: false });
              const marginal = (q.ns - p.ns) / 1e9 / Math.max(1, q.replayed - p.replayed);
              return marginal > 0 ? marginal : q.ns / 1e9 / Math.max(1, q.replayed);
            };
            let perEvent = await probeOnce();
            // A cold JIT makes the first probe slow: an allocator over budget is probed again, warm.
            if (perEvent * full.events * (repeat + 1) > budget) perEvent = await probeOnce();
            if (perEvent * full.events * (repeat + 1) > budget) w = Math.max(PROBE_EVENTS, Math.floor(budget / (perEvent * (repeat + 1)) / 10_000) * 10_000);
          } catch {
            // The timed runs meet the same error and record it.
          }
        }
        if (w !== undefined && w < full.events) traces.set(i, w === probe.events ? probe : await prepareReplay(limitSource(source, w)));
      }
      bar.tick(`${name}: runs`);

      let tmp: string | null = null;
      let nativeFile: string | null = null;
      const nativeRuns: NativeFigures[][] = [];
      const skipped = new Set<string>();
      const timed: Run[][] = plan.allocators.map(() => []);
      const errors: (string | null)[] = plan.allocators.map(() => null);
      try {
        // glibc also replays each shorter window (same events as the windowed allocator).
        const windowSizes = [...new Set([...traces.values()].map((t) => t.events))].sort((x, y) => x - y);
        const windowFiles = new Map<number, string>();
        const windowRuns = new Map<number, NativeFigures[][]>();
        if (native) {
          tmp = mkdtempSync(join(tmpdir(), 'heaplab-bench-'));
          nativeFile = join(tmp, `${name}.hltb`);
          await writeTrace(nativeFile, source.open(), { program: profile.program || name, format: 'binary' });
          for (const w of windowSizes) {
            const f = join(tmp, `${name}.${w}.hltb`);
            await writeTrace(f, limitSource(source, w).open(), { program: profile.program || name, format: 'binary' });
            windowFiles.set(w, f);
            windowRuns.set(w, []);
          }
        }
        for (let r = 0; r < repeat; r++) {
          for (let i = 0; i < plan.allocators.length; i++) {
            bar.label(`${name}: ${plan.allocators[i]} run ${r + 1}/${repeat}`);
            if (errors[i] === null) {
              try {
                timed[i]!.push(await runReplay(traceOf(i), factories[i]!, { ...runOptions, touch: 'speed', samples: 'end', series: false }));
              } catch (e) {
                errors[i] = message(e);
              }
            }
            bar.tick(`${name}`);
          }
          if (nativeFile !== null) {
            bar.label(`${name}: native run ${r + 1}/${repeat}`);
            const n = await nativeRun(nativeFile, false);
            n.skipped.forEach((s) => skipped.add(s));
            if (n.figures.length === 0) {
              native = false;
              nativeFile = null;
              n.skipped.forEach((s) => nativeSkips.add(s));
            } else nativeRuns.push(n.figures);
            for (const [w, f] of nativeFile === null ? [] : windowFiles) {
              bar.label(`${name}: glibc on the first ${w} events, run ${r + 1}/${repeat}`);
              const g = await nativeRun(f, false, ['glibc']);
              if (g.figures.length > 0) windowRuns.get(w)!.push(g.figures);
            }
            bar.tick(name);
          }
        }
        const results: AllocatorResult[] = [];
        for (let i = 0; i < plan.allocators.length; i++) {
          const a = plan.allocators[i]!;
          const trace = traceOf(i);
          const window = trace === full ? null : trace.events;
          bar.label(`${name}: ${a} footprint run`);
          if (errors[i] !== null) {
            results.push({ name: a, label: a, window, result: null, series: null, error: errors[i] });
            bar.tick(name);
            continue;
          }
          try {
            const f = await runReplay(trace, factories[i]!, { ...runOptions, touch: 'footprint', series: true });
            const time = combineRuns(trace, timed[i]!, { ...runOptions, touch: 'speed', samples: 'end' });
            const { series, ...figures } = combineRuns(trace, [f], { ...runOptions, touch: 'footprint' });
            results.push({
              name: a,
              label: f.allocator,
              window,
              result: withTimeOf(figures, time),
              series: series ? thinSeries(series, plan.seriesPoints ?? 400) : null,
              error: null,
            });
          } catch (e) {
            results.push({ name: a, label: a, window, result: null, series: null, error: message(e) });
          }
          bar.tick(name);
        }
        let nativeFigures: NativeFigures[] = [];
        if (nativeFile !== null) {
          bar.label(`${name}: native footprint run`);
          const foot = await nativeRun(nativeFile, true);
          nativeFigures = combineNative(nativeRuns).map((n) => ({ ...n, footprint: foot.figures.find((f) => f.name === n.name)?.footprint ?? NaN }));
          bar.tick(name);
        }
        out.push({
          name,
          spec,
          label: full.name,
          program: profile.program,
          events: profile.events,
          requests: profile.requests,
          under100: profile.under100,
          peakLive: profile.peakLiveBytes,
          sizes: profile.sizes,
          allocators: results,
          native: nativeFigures,
          nativeWindows: [...windowRuns].flatMap(([events, runs]) => {
            const g = combineNative(runs).find((f) => f.name === 'glibc');
            return g ? [{ events, glibc: g }] : [];
          }),
          nativeSkipped: [...skipped, ...[...nativeSkips].filter((x) => !skipped.has(x))],
        });
        log(`${name}: ${profile.events} events, ${results.map((r) => `${r.name} ${r.result ? r.result.nsPerEvent.toFixed(0) + ' ns' : 'failed'}`).join(', ')}${nativeFigures.map((n) => `, ${n.name} ${n.nsPerEvent.toFixed(0)} ns`).join('')}`);
      } finally {
        if (tmp !== null) rmSync(tmp, { recursive: true, force: true });
      }
    }
  } finally {
    bar.stop();
  }
  const shared: SharedRunResult[] = [];
  const pc = plan.sources.find((s) => s.kind === 'workload' && s.name === 'producer-consumer');
  if (plan.shared !== false && pc?.kind === 'workload') {
    for (const a of plan.allocators.filter((n) => (SHAREABLE as readonly string[]).includes(n))) {
      const r = await runSharedProducerConsumer({ seed: pc.seed, ops: pc.ops });
      shared.push(r);
      log(`producer-consumer across 2 workers, ${a}: ${r.nsPerEvent.toFixed(0)} ns per event, ${r.producer.failures + r.consumer.failures} failures, ${r.consumer.broken} broken blocks`);
    }
  }
  return {
    heaplabComparison: 1,
    date: new Date().toISOString(),
    node: process.version,
    cpus: cpus().length,
    repeat,
    seconds: (performance.now() - t0) / 1000,
    sources: out,
    shared,
  };
}

/** A native run; a driver that fails is a skip message, not the end of the comparison. */
async function nativeRun(file: string, footprint: boolean, only?: readonly string[]): Promise<NativeRun> {
  try {
    return await runNative(file, { footprint, only });
  } catch (e) {
    return { figures: [], skipped: [`native driver failed: ${message(e)}`] };
  }
}

