/*
 * The experiment protocol's types: a plan goes in (what to replay, with what, how often), a
 * record comes out (every run's raw figures and the provenance that makes them reproducible).
 *
 * Invariants of a plan, checked by plan.ts before anything runs:
 *   - every source names its events exactly: a workload by name, seed and event count, a trace
 *     by file (its sha256 is recorded); a window is a number of leading events, never a time;
 *   - an allocator's window on a source is the same for every run of the plan on any machine;
 *   - runs ≥ 1; time figures are medians over `runs` interleaved timed runs, memory figures come
 *     from one footprint run and are deterministic for every heaplab allocator.
 */

import type { ReplayResult, RunFigures, TraceAnomalies } from '@heaplab/core';
import type { PhysicalFigures } from '@heaplab/kernel';
import type { NativeFigures } from '../metrics/table.js';
import type { SourceSpec } from '../report/sources.js';
import type { ProbeRecord } from './probes.js';

/** One layer of a wrapper stack: a registered wrapper name and its options. */
export interface WrapperSpec {
  name: string;
  options: Record<string, unknown>;
}

/**
 * An allocator as a plan names it: `name[:key=value,…][+wrapper[:key=value,…]…]`, or
 * `name@module` for a user's own allocator module (a path; its export is registered under `name`).
 */
export interface AllocatorSpec {
  /** The text the plan gave, normalised (what tables and the ledger call it). */
  spec: string;
  /** Registry name (or adapter name, e.g. `thing-malloc`). */
  name: string;
  /** Options over the allocator's configured parameters. */
  options: Record<string, unknown>;
  /** Wrappers around it, innermost first. */
  wrappers: WrapperSpec[];
  /** A user's module to load the allocator from, as given (relative to the working directory). */
  module: string | null;
}

/** One source of a plan, with the windows of the allocators that replay only its first events. */
export interface PlanSource {
  source: SourceSpec;
  /** Events replayed by every allocator not in `windows`: the whole source when absent. */
  events?: number;
  /** Leading events replayed by the named allocators (by spec text): the same on every machine. */
  windows?: Record<string, number>;
  /** Allocators (by spec text) left out of this source, each with the reason shown in the tables. */
  skip?: Record<string, string>;
}

/** What to measure. Every field but `sources` and `allocators` has a default (below). */
export interface Plan {
  /** A short name for the plan (`bench`, `replay`, a file's base name). */
  name: string;
  sources: PlanSource[];
  /** Allocator specs (see AllocatorSpec). */
  allocators: string[];
  /** Leading events replayed by the named allocators on every source (a source's own window wins). */
  windows?: Record<string, number>;
  /** Timed runs of each allocator on each source, interleaved. Default 5. */
  runs?: number;
  /**
   * Untimed runs of each allocator on each source, in the timed runs' touch, before the first
   * timed one: the JIT compiles the engine's loop for the footprint run's touch first, and the
   * first speed runs after it were slower than the rest (310 and 321 ns/event against 164–233
   * for bump-freestack on churn). Default 1.
   */
  warmup?: number;
  /** Touch of the timed runs: `speed` (first and last byte) or `footprint` (every page too). Default `speed`. */
  touch?: 'speed' | 'footprint';
  /** Run the native driver too: true (every native allocator installed), false, or the names to run. Default true. */
  native?: boolean | string[];
  /** Also time each side's floor (a do-nothing ring allocator in the engine, the C driver's floor). Default false. */
  floor?: boolean;
  /** Size of each run's address space, MiB. Default 4096. */
  spaceMib?: number;
  /** Footprint runs take the space's figures every this many events. Default the engine's (4096). */
  sampleEvery?: number;
  /** Points kept of each footprint series. Default 400. */
  seriesPoints?: number;
  /** Write a V8 CPU profile (.cpuprofile) of this allocator's (spec text) first timed run on each source into `profileDir`. Default none. */
  profile?: string;
  /** Where profiles are written. Default the working directory. */
  profileDir?: string;
  /** Spread (interquartile range over the median) above which a time is marked noisy. Default 0.1. */
  noisyAbove?: number;
}

/** A plan with its defaults filled in and its allocator specs parsed. */
export interface ResolvedPlan extends Required<Omit<Plan, 'profile' | 'windows' | 'sampleEvery'>> {
  windows: Record<string, number>;
  sampleEvery: number | null;
  profile: string | null;
  specs: AllocatorSpec[];
}

/** A heaplab run's figures as the ledger keeps them: everything but the sampled series. */
export type RawRun = Omit<RunFigures, 'series'>;

/** The footprint series of a run, thinned to at most `seriesPoints` samples. */
export interface Series {
  event: number[];
  used: number[];
  live: number[];
}

/** One allocator on one source: every timed run, the footprint run, or why there are none. */
export interface AllocatorRecord {
  spec: string;
  name: string;
  /** The identity label of the instance (with its wrappers), e.g. `checking(dlmalloc-style)`. */
  label: string;
  /** The parameters the instance was made with (configured ones merged with the spec's), and its wrappers. */
  resolved: { parameters: Record<string, unknown>; wrappers: WrapperSpec[] } | null;
  /** Leading events replayed, or null for the whole source. */
  window: number | null;
  timed: RawRun[];
  footprint: RawRun | null;
  /** What the replay could not replay of the trace (events on unknown ids…), from the footprint run. */
  anomalies: TraceAnomalies | null;
  /**
   * Page frames of an allocator with physical memory (the kernel family), after its footprint run:
   * frames in use and their peak, buddyinfo, unusable free space index. Absent or null otherwise.
   */
  physical?: PhysicalFigures | null;
  series: Series | null;
  /** The thread that ran it (one isolate per allocator; see isolate.ts). */
  threadId: number | null;
  /** Constructor names of every allocator instance its isolate made: its own class and wrappers only. */
  classes: string[];
  /** Set when the allocator failed, or was skipped by the plan, with the reason. */
  error: string | null;
  skipped: boolean;
}

/** The native driver's runs on one window of a source (null: the whole source). */
export interface NativeRecord {
  window: number | null;
  /** One entry per round: each native allocator's figures in that round. */
  runs: NativeFigures[][];
  /** The footprint-touch run (whole source only). */
  footprint: NativeFigures[];
}

/** One source of a record. */
export interface SourceRecord {
  name: string;
  spec: SourceSpec;
  /** sha256 of the trace file, or of the workload's binary form (`heaplab workload export --format binary`). */
  sha256: string;
  program: string;
  events: number;
  requests: number;
  under100: number;
  peakLive: number;
  sizes: { lo: number; hi: number; count: number }[];
  allocators: AllocatorRecord[];
  native: NativeRecord[];
  nativeSkipped: string[];
}

/** Where and with what a record was made. */
export interface Provenance {
  commit: string | null;
  dirty: boolean | null;
  date: string;
  node: string;
  v8: string;
  platform: string;
  cpu: { model: string; count: number };
  memoryBytes: number;
  loadBefore: number[];
  loadAfter: number[];
  libc: string | null;
  /** Each native allocator the driver could run, with its library and package version where known. */
  nativeLibraries: { name: string; library: string | null; version: string | null }[];
  heaplab: string;
  seconds: number;
  /**
   * Wall time of the footprint runs (run `workers` at a time, each in its own isolate: their
   * figures are deterministic, so running them side by side changes none) and of the rest
   * (warm-up, timed and native runs, always one at a time).
   */
  phases?: { footprintSeconds: number; timedSeconds: number; workers: number };
}

/** One ledger line: a plan, its provenance, and every run's raw figures. */
export interface LabRecord {
  heaplabRecord: 1;
  id: string;
  plan: ResolvedPlan;
  /** sha256 of the plan (shard.ts planHash): the same for the whole run and each of its shards. */
  planHash?: string;
  /** Set on a shard's record: which part of the plan it ran (shard.ts). */
  shard?: { index: number; count: number };
  /** Set on a study's record: the study's name (studies/NAME.json). */
  study?: string;
  /** Results of the study's probes (probes.ts): figures no replay gives. */
  probes?: ProbeRecord[];
  /** Set on a merged record: each shard's record id and provenance. */
  shards?: { index: number; count: number; id: string; provenance: Provenance }[];
  provenance: Provenance;
  sources: SourceRecord[];
}

/** A time figure with its spread over runs. */
export interface Spread {
  median: number;
  min: number;
  max: number;
  q1: number;
  q3: number;
  n: number;
  /** (q3 − q1) / median. */
  iqrRatio: number;
  /** True when iqrRatio passes the plan's noisyAbove, or when only one run was made. */
  noisy: boolean;
}

/** A ratio of two medians with a bootstrap interval. */
export interface RatioInterval {
  ratio: number;
  lo: number;
  hi: number;
}

/** What a caller of the protocol gets per allocator on a source, ready for tables. */
export interface AllocatorSummary {
  spec: string;
  result: ReplayResult | null;
  time: Spread | null;
  toGlibc: RatioInterval | null;
  window: number | null;
  error: string | null;
  skipped: boolean;
}
