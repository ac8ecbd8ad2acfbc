/*
 * What a trace says about the program that made it, in one streaming pass: events by kind, the
 * requests and their sizes (the article's power-of-two histogram and the shares under 100 B,
 * under 1 KiB and at least 128 KiB), the peak of live bytes and of live blocks, failed requests,
 * and events on ids the trace never allocated (made before the recorder loaded).
 *
 * State: one Map entry (id → requested size) per live block, nothing per event, so a trace of
 * tens of millions of events streams through in a few seconds; the histogram is a Float64Array
 * of 54 buckets (0, 1, 2–3, 4–7, …, up to 2^53).
 *
 * Semantics, as BRIEF §8 defines the events:
 *   a/c/m   a request of `size` bytes (calloc: n × size); id 0 is a failed request
 *   r       `r new old size`: with new = 0 and size = 0 it frees `old` (not a request); with new = 0
 *           and size > 0 it is a failed request and `old` stays live; otherwise `old` (0: none)
 *           is released and `new` is live with `size` bytes
 *   f       frees its id; an id not live counts as an unknown free
 * Live bytes are the sum of requested sizes of live blocks; an id allocated again while live
 * (a trace this lab did not write) replaces the old entry and is counted in `reusedLiveIds`.
 */

import { EV_FREE, EV_REALLOC, EVENT_LETTERS, type TraceSource } from '@heaplab/core';
import { formatBytes } from '../metrics/table.js';

/** One bucket of the size histogram: requests of [lo, hi] bytes. */
export interface SizeBucket {
  lo: number;
  hi: number;
  count: number;
}

/** Events of each kind, by v1 letter. */
export type KindCounts = Record<'a' | 'c' | 'm' | 'r' | 'f', number>;

/** The statistics of one trace (or workload). Shares are fractions of `requests` (NaN when none). */
export interface TraceStats {
  /** The program named in the trace's header ('' for an empty source). */
  program: string;
  events: number;
  byKind: KindCounts;
  /** Allocation requests: a, c, m, and r events other than frees (failed ones included). */
  requests: number;
  /** Requests written with id 0. */
  failed: number;
  /** Frees (f, or r's old id) of ids not live in this trace. */
  unknownFrees: number;
  /** Ids allocated again while live (never in a trace the recorder wrote). */
  reusedLiveIds: number;
  /** Peak of the sum of requested sizes of live blocks. */
  peakLiveBytes: number;
  /** Peak of the number of live blocks. */
  peakLiveBlocks: number;
  /** Blocks and bytes still live after the last event (what the program never freed). */
  liveAtEnd: { blocks: number; bytes: number };
  /** Share of requests under 100 bytes. */
  under100: number;
  /** Share of requests under 1 KiB. */
  under1k: number;
  /** Share of requests of at least 128 KiB (glibc's default mmap threshold). */
  atLeast128k: number;
  /** The largest request. */
  largest: number;
  /** Buckets 0, 1, 2–3, 4–7, …: every bucket from the first non-empty to the last. */
  sizes: SizeBucket[];
}

const BUCKETS = 54;

/** The histogram bucket of a request of `size` bytes: 0 for 0, else ⌊log2 size⌋ + 1. */
export function bucketOf(size: number): number {
  return size === 0 ? 0 : Math.floor(Math.log2(size)) + 1;
}

/** Reads a source once and returns its statistics. */
export async function traceStats(source: TraceSource): Promise<TraceStats> {
  const buckets = new Float64Array(BUCKETS);
  const kinds = new Float64Array(5);
  const live = new Map<number, number>();
  let liveBytes = 0;
  let peakLiveBytes = 0;
  let peakLiveBlocks = 0;
  let events = 0;
  let requests = 0;
  let failed = 0;
  let unknownFrees = 0;
  let reusedLiveIds = 0;
  let under100 = 0;
  let under1k = 0;
  let atLeast128k = 0;
  let largest = 0;
  let program = '';
  const release = (id: number): void => {
    const size = live.get(id);
    if (size === undefined) {
      unknownFrees++;
      return;
    }
    liveBytes -= size;
    live.delete(id);
  };
  for await (const c of source.open()) {
    program = c.program;
    events += c.count;
    for (let j = 0; j < c.count; j++) {
      const k = c.kind[j]!;
      const id = c.id[j]!;
      kinds[k]!++;
      if (k === EV_FREE) {
        release(id);
        continue;
      }
      const size = c.size[j]!;
      if (k === EV_REALLOC) {
        const old = c.arg[j]!;
        if (id === 0 && size === 0) {
          if (old !== 0) release(old);
          else failed++;
          continue;
        }
        if (id !== 0 && old !== 0) release(old);
      }
      requests++;
      if (size < 100) under100++;
      if (size < 1024) under1k++;
      if (size >= 131072) atLeast128k++;
      if (size > largest) largest = size;
      buckets[bucketOf(size)]!++;
      if (id === 0) {
        failed++;
        continue;
      }
      const before = live.get(id);
      if (before !== undefined) {
        reusedLiveIds++;
        liveBytes -= before;
      }
      live.set(id, size);
      liveBytes += size;
      if (liveBytes > peakLiveBytes) peakLiveBytes = liveBytes;
      if (live.size > peakLiveBlocks) peakLiveBlocks = live.size;
    }
  }
  let first = buckets.findIndex((b) => b > 0);
  let last = BUCKETS - 1;
  while (last > 0 && buckets[last] === 0) last--;
  if (first < 0) first = last + 1;
  const sizes: SizeBucket[] = [];
  for (let b = first; b <= last; b++) sizes.push({ lo: b === 0 ? 0 : 2 ** (b - 1), hi: b === 0 ? 0 : 2 ** b - 1, count: buckets[b]! });
  const share = (n: number): number => (requests > 0 ? n / requests : NaN);
  const byKind = Object.fromEntries([...EVENT_LETTERS].map((l, i) => [l, kinds[i]!])) as KindCounts;
  return {
    program,
    events,
    byKind,
    requests,
    failed,
    unknownFrees,
    reusedLiveIds,
    peakLiveBytes,
    peakLiveBlocks,
    liveAtEnd: { blocks: live.size, bytes: liveBytes },
    under100: share(under100),
    under1k: share(under1k),
    atLeast128k: share(atLeast128k),
    largest,
    sizes,
  };
}

/** A power of two with a K, M or G suffix from 1024 up. */
function pow2Text(n: number): string {
  if (n >= 2 ** 30) return `${n / 2 ** 30}G`;
  if (n >= 2 ** 20) return `${n / 2 ** 20}M`;
  if (n >= 2 ** 10) return `${n / 2 ** 10}K`;
  return `${n}`;
}

/** A bucket's label: `0`, `1`, `2–3`, … `512–1023`, then `[1K, 2K)`, `[2K, 4K)`, … */
export function bucketLabel(b: SizeBucket): string {
  if (b.lo === b.hi) return `${b.lo}`;
  if (b.lo < 1024) return `${b.lo}–${b.hi}`;
  return `[${pow2Text(b.lo)}, ${pow2Text(b.hi + 1)})`;
}

const pct = (x: number): string => (Number.isNaN(x) ? '–' : x === 0 ? '0%' : x < 0.001 ? `${(x * 100).toPrecision(2)}%` : `${(x * 100).toFixed(1)}%`);
const num = (n: number): string => n.toLocaleString('en-US');

/**
 * The statistics as terminal lines: the summary, then the histogram with one bar per bucket
 * (`width` characters for the largest), its share of requests and its count.
 */
export function traceStatsLines(name: string, s: TraceStats, width = 40): string[] {
  const k = s.byKind;
  const lines = [
    `${name}: program ${s.program || '(none)'}, ${num(s.events)} events`,
    `  by kind: malloc ${num(k.a)}, calloc ${num(k.c)}, aligned ${num(k.m)}, realloc ${num(k.r)}, free ${num(k.f)}`,
    `  requests ${num(s.requests)} (failed ${num(s.failed)}), largest ${formatBytes(s.largest)}; frees of unknown ids ${num(s.unknownFrees)}${s.reusedLiveIds ? `, ids reused while live ${num(s.reusedLiveIds)}` : ''}`,
    `  peak live ${formatBytes(s.peakLiveBytes)} (${num(s.peakLiveBytes)} B), ${num(s.peakLiveBlocks)} blocks; live at the end ${num(s.liveAtEnd.blocks)} blocks, ${formatBytes(s.liveAtEnd.bytes)}`,
    `  requests under 100 B ${pct(s.under100)}, under 1 KiB ${pct(s.under1k)}, at least 128 KiB ${pct(s.atLeast128k)}`,
  ];
  if (s.sizes.length === 0) return lines;
  lines.push('  request sizes (bytes):');
  const labels = s.sizes.map(bucketLabel);
  const pad = Math.max(...labels.map((l) => l.length));
  const most = Math.max(...s.sizes.map((b) => b.count));
  s.sizes.forEach((b, i) => {
    const bar = most > 0 ? '█'.repeat(Math.round((b.count / most) * width)) : '';
    lines.push(`  ${labels[i]!.padStart(pad)} │${bar.padEnd(width)} ${pct(b.count / s.requests).padStart(7)} ${num(b.count)}`);
  });
  return lines;
}
