/*
 * The figures of a replay and how repeated runs combine. Definitions, with an event
 * being one malloc, calloc, memalign, realloc or free, and the event index the time axis:
 *
 *   live      sum of the requested sizes of live blocks, after each event (exact: the engine
 *             keeps each slot's requested size)
 *   used      the space's resident bytes after each event: every page written by anyone,
 *             allocator metadata included. Pages the replayed program writes are marked at the
 *             write (exact); pages only the allocator wrote through raw views are found by the
 *             space's scan at each sample (see engine.ts), so between samples they lag.
 *   mapped, committed   the space's own counters (exact at every call, peaks included)
 *   M1 = mean over events with live > 0 of used/live
 *   M2 = used/live at the event of peak live (the first event reaching it)
 *   M3 = used/live at the event of peak used (the first event reaching it)
 *   M4 = peak used / peak live
 *   internal fragmentation = usable/requested − 1, from the allocator's stats() at the sample
 *             with the most live bytes (usable: the sum of usable sizes of live blocks)
 *   external  the allocator's stats().externalBytes at each sample: its state held in JavaScript
 *             objects outside the space, which `used` (so M1–M4) cannot see; peak and final.
 *             external.peak / live.peak is what M4 would gain if those bytes were in the space
 *             (at most: the two peaks need not fall at the same event)
 *   time per event = timed nanoseconds / events replayed, median over repeated runs
 *   syscalls = the space's call counters at the end (the space is fresh for each run)
 *   failures = requests the allocator answered with NULL
 */

import type { TraceAnomalies } from './slots.js';

/** Figures of one replay run. Bytes unless named otherwise; `…Event` fields are event indexes. */
export interface RunFigures {
  /** Nanoseconds spent in the timed loop (allocator calls, block writes, per-event bookkeeping). */
  ns: number;
  /**
   * Minor page faults of the process during the timed loop (`process.resourceUsage()` before and
   * after each timed segment; NaN where it is not available). Mostly first touches of the space's
   * buffer pages — the dearest thing a run does on a virtual machine (microseconds each) — plus
   * any the runtime's own threads take meanwhile.
   */
  minorFaults: number;
  /** Events in the trace. */
  events: number;
  /** Events replayed (the trace's events less those not replayable, see TraceAnomalies). */
  replayed: number;
  /** Calls made on the allocator, by kind. */
  counts: { malloc: number; calloc: number; memalign: number; realloc: number; free: number };
  /** Requests the allocator answered with NULL. */
  failures: number;
  live: { peak: number; peakEvent: number; final: number };
  used: { peak: number; peakEvent: number; final: number; atPeakLive: number };
  /** Live bytes at the event of peak used. */
  liveAtPeakUsed: number;
  m1: number;
  m2: number;
  m3: number;
  m4: number;
  mapped: { peak: number; final: number };
  committed: { peak: number; final: number };
  /** The space's own peak of resident bytes (counts transients inside one call too). */
  spacePeakResident: number;
  /** Internal fragmentation at the sample with the most live bytes. */
  internal: { event: number; requested: number; usable: number; ratio: number; metadata: number };
  /**
   * Bytes the allocator holds outside the space (AllocatorStats.externalBytes, an estimate of its
   * JavaScript objects), from its stats() at every sample: the largest and the last. The space's
   * figures, M1–M4 included, do not count them.
   */
  external: { peak: number; final: number };
  /** The allocator's stats().diagnostics at the last sample (why requests failed, in its words); [] when none. */
  diagnostics?: string[];
  syscalls: { brk: number; mmap: number; munmap: number; mprotect: number; madvise: number; total: number };
  /** Samples taken (space.stats() and allocator.stats() calls). */
  samples: number;
  /** The samples, when kept: one entry per sample in each array. */
  series: ReplaySeries | null;
}

/** Figures at each sample, for footprint-over-time plots. */
export interface ReplaySeries {
  event: number[];
  live: number[];
  used: number[];
  mapped: number[];
  committed: number[];
}

/** The result of `replay`: the first run's figures, and the time of every run. */
export interface ReplayResult extends RunFigures {
  /** The allocator's identity label and registry name. */
  allocator: string;
  allocatorName: string;
  /** The source's name (a file, a workload) and the program in its header. */
  source: string;
  program: string;
  touch: 'speed' | 'footprint';
  /** Median over runs of ns per replayed event. */
  nsPerEvent: number;
  /** ns per replayed event of each run, in run order. */
  runsNsPerEvent: number[];
  /** Median over runs of the minor page faults in the timed loop (RunFigures.minorFaults). */
  minorFaultsMedian: number;
  anomalies: TraceAnomalies;
  sampling: { every: number; peakGrowth: number; samples: 'periodic' | 'end' };
}

/** Median of numbers (mean of the middle two for an even count); NaN for none. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >>> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** used/live, or NaN when live is 0. */
export function ratio(used: number, live: number): number {
  return live > 0 ? used / live : NaN;
}
