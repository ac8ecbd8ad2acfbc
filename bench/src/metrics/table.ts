/*
 * The terminal table of `heaplab replay`: one column per allocator (heaplab ones, then native
 * ones), one row per figure. Native columns have time and footprint only; the
 * fragmentation measures of the simulated space do not exist for them and show as "—".
 */

import Table from 'cli-table3';
import type { ReplayResult } from '@heaplab/core';
import { ratioInterval, spread, spreadText } from '../lab/stats.js';

/** One native allocator's figures, as the driver reports them (see native.ts). */
export interface NativeFigures {
  /** glibc, jemalloc, mimalloc, tcmalloc, musl. */
  name: string;
  /** Median ns per event over the runs. */
  nsPerEvent: number;
  runsNsPerEvent: number[];
  /**
   * Peak RSS of the replay less the driver's own baseline, bytes; in footprint-touch runs never
   * below the trace's peak live bytes (bench/native/README.md, "Footprint").
   */
  footprint: number;
  /** The driver's own resident bytes subtracted from the peak (code, libraries, its arrays), when reported. */
  baseline?: number;
  /** The replay's peak RSS before the baseline is subtracted, bytes, when reported. */
  grossRss?: number;
  /** Calls the driver made per run, when reported. */
  replayed?: number;
  /** Allocations that returned NULL in the native replay, when reported. */
  failures?: number;
  /** Events on ids never allocated, when reported. */
  unknownIds?: number;
  /** Minor page faults during the timed loop (median over runs), when the driver reports them. */
  minorFaults?: number;
}

/** Bytes in B, KiB, MiB or GiB with three significant digits. */
export function formatBytes(n: number): string {
  if (!Number.isFinite(n)) return '—';
  const units = ['B', 'KiB', 'MiB', 'GiB'];
  let v = n;
  let u = 0;
  while (Math.abs(v) >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${v} B` : `${v.toPrecision(3)} ${units[u]}`;
}

function fixed(n: number, digits = 2): string {
  return Number.isFinite(n) ? n.toFixed(digits) : '—';
}

function count(n: number): string {
  return Number.isFinite(n) && n >= 0 ? Math.round(n).toLocaleString('en-US') : '—';
}

function ns(n: number): string {
  return !Number.isFinite(n) ? '—' : n >= 100 ? n.toFixed(0) : n.toFixed(1);
}

/** The table as text. Time ratios divide by glibc's time when it ran, else by the first column's. */
export function replayTable(heaplab: readonly ReplayResult[], native: readonly NativeFigures[]): string {
  const baseNative = native.find((n) => n.name === 'glibc');
  const baseNs = baseNative?.nsPerEvent ?? heaplab[0]?.nsPerEvent ?? NaN;
  const baseName = baseNative ? 'glibc' : heaplab[0]?.allocatorName ?? '';
  const peakLive = heaplab[0]?.live.peak ?? NaN;
  const head = ['', ...heaplab.map((r) => r.allocatorName), ...native.map((n) => `${n.name} (native)`)];
  const t = new Table({ head, style: { head: [], border: [] } });
  const row = (label: string, h: (r: ReplayResult) => string, n: (x: NativeFigures) => string = () => '—'): void => {
    t.push([label, ...heaplab.map(h), ...native.map(n)]);
  };
  const runs = Math.max(1, ...heaplab.map((r) => r.runsNsPerEvent.length), ...native.map((n) => n.runsNsPerEvent.length));
  // Time with its spread over the interleaved runs (stats.ts): median (min–max), noisy when the
  // interquartile range passes 10 % of the median or when there was one run.
  row(`time per event, ns: median (min–max) of ${runs} run${runs > 1 ? 's' : ''}`, (r) => spreadText(spread(r.runsNsPerEvent), ns), (n) => spreadText(spread(n.runsNsPerEvent), ns));
  if (heaplab.length + native.length > 1) {
    const baseRuns = baseNative?.runsNsPerEvent ?? heaplab[0]?.runsNsPerEvent ?? [];
    const withInterval = (runsNs: readonly number[]): string => {
      const r = ratioInterval(runsNs, baseRuns);
      return baseRuns.length > 1 && runsNs.length > 1 && Number.isFinite(r.lo) ? `${fixed(r.ratio)} (${fixed(r.lo)}–${fixed(r.hi)})` : fixed(r.ratio);
    };
    row(`time ÷ ${baseName}${runs > 1 ? ' (95% interval)' : ''}`, (r) => withInterval(r.runsNsPerEvent), (n) => withInterval(n.runsNsPerEvent));
  }
  // With --floor: each side's do-nothing replay (heaplab's engine with ring-bump, the driver with
  // its own ring), and the time an allocator adds to it over the time glibc adds to the driver's.
  const engineFloor = heaplab.find((r) => r.allocatorName === 'ring-bump')?.nsPerEvent;
  const driverFloor = native.find((n) => n.name === 'floor')?.nsPerEvent;
  if (engineFloor !== undefined && driverFloor !== undefined && baseNative) {
    const glibcAbove = baseNs - driverFloor;
    row(
      "time above its floor ÷ glibc's",
      (r) => (r.allocatorName === 'ring-bump' ? '(floor)' : fixed((r.nsPerEvent - engineFloor) / glibcAbove)),
      (n) => (n.name === 'floor' ? '(floor)' : fixed((n.nsPerEvent - driverFloor) / glibcAbove)),
    );
  }
  row('page faults in a timed run (median)', (r) => count(r.minorFaultsMedian), (n) => count(n.minorFaults ?? NaN));
  row('peak live', (r) => formatBytes(r.live.peak), () => formatBytes(peakLive));
  row('peak used (resident; native: peak RSS)', (r) => formatBytes(r.used.peak), (n) => formatBytes(n.footprint));
  row('M4 peak used / peak live', (r) => fixed(r.m4, 3), (n) => fixed(n.footprint / peakLive, 3));
  // What the allocator keeps in JavaScript objects (stats().externalBytes): the space cannot see
  // it, so M4 does not count it; ÷ peak live is what M4 would gain at most if it were in the space.
  row('outside the space (JS objects, peak; ÷ peak live)', (r) => (r.external ? `${formatBytes(r.external.peak)} (+${fixed(r.external.peak / r.live.peak, 3)})` : '—'));
  row('M1 mean used / live', (r) => fixed(r.m1, 3));
  row('M2 used / live at peak live', (r) => fixed(r.m2, 3));
  row('M3 used / live at peak used', (r) => fixed(r.m3, 3));
  row('internal fragmentation', (r) => (Number.isFinite(r.internal.ratio) ? `${(r.internal.ratio * 100).toFixed(1)} %` : '—'));
  row('peak mapped', (r) => formatBytes(r.mapped.peak));
  row('peak committed', (r) => formatBytes(r.committed.peak));
  row('final live / used', (r) => `${formatBytes(r.live.final)} / ${formatBytes(r.used.final)}`);
  row('syscalls brk/mmap/munmap/mprotect/madvise', (r) => `${r.syscalls.brk}/${r.syscalls.mmap}/${r.syscalls.munmap}/${r.syscalls.mprotect}/${r.syscalls.madvise}`);
  row('failed requests', (r) => String(r.failures), (n) => (n.failures === undefined ? '—' : String(n.failures)));
  return t.toString();
}

/** The lines under the table: the source, what could not be replayed, how figures were sampled. */
export function replayFooter(r: ReplayResult, timedTouch: 'speed' | 'footprint'): string[] {
  const a = r.anomalies;
  const lines = [
    `${r.source}: ${r.events} events (program ${r.program}), ${r.replayed} replayed`,
    `time: ${timedTouch} touch (${timedTouch === 'speed' ? 'first and last byte of each block; no sample before the end of a timed run' : 'first, last and one byte per page'}); memory figures: ${r.touch} touch (${r.touch === 'speed' ? 'first and last byte of each block' : 'first, last and one byte per page of each block'})`,
    `figures sampled every ${r.sampling.every} events and at peaks of live bytes (+${(r.sampling.peakGrowth * 100).toFixed(0)} %); ${r.samples} samples`,
  ];
  if (a.failedRequests + a.unknownIds + a.reusedLiveIds > 0) {
    lines.push(`not replayed as written: ${a.failedRequests} requests failed when recorded, ${a.unknownIds} events on ids never allocated, ${a.reusedLiveIds} ids reused while live`);
    for (const u of a.firstUnknown) lines.push(`  ${u}`);
  }
  return lines;
}
