/*
 * What a trace says about the program that made it, in one streaming pass: events by kind, the
 * requests and their sizes (the article's power-of-two histogram and the shares under 100 B,
 * under 1 KiB and at least 128 KiB), the peak of live bytes and of live blocks, failed requests,
 * and events on ids the trace never allocated (made before the recorder loaded).
 *
 * State: the live blocks in a LiveTable (below: id → requested size in two typed arrays, open
 * addressing), nothing per event, so the pass costs a few tens of nanoseconds per event beside
 * the reader's own decoding (a JS Map of 2^53-range ids cost 0.5–1.5 µs an event: boxed keys);
 * the histogram is a Float64Array of 54 buckets (0, 1, 2–3, 4–7, …, up to 2^53). Allocation sites
 * (when the trace has them): requests and bytes per site in Float64Arrays indexed by the reader's
 * site index, and each live block's site in the live table, so the blocks live at the end are
 * grouped by site too. The top sites are printed as `module+0xADDR function (file:line)` through
 * the trace's module map (core's symboliseSites: one addr2line run per module, where installed).
 *
 * Semantics, as heaplab-trace v1 defines the events:
 *   a/c/m   a request of `size` bytes (calloc: n × size); id 0 is a failed request
 *   r       `r new old size`: with new = 0 and size = 0 it frees `old` (not a request); with new = 0
 *           and size > 0 it is a failed request and `old` stays live; otherwise `old` (0: none)
 *           is released and `new` is live with `size` bytes
 *   f       frees its id; an id not live counts as an unknown free
 * Live bytes are the sum of requested sizes of live blocks; an id allocated again while live
 * (a trace this lab did not write) replaces the old entry and is counted in `reusedLiveIds`.
 */

import { EV_FREE, EV_REALLOC, EVENT_LETTERS, openTrace, symboliseSites, type EventChunk, type SymboliseOptions, type TraceModule, type TraceSource } from '@heaplab/core';
import { formatBytes } from '../metrics/table.js';
import { progressBar } from './progress.js';

/** One bucket of the size histogram: requests of [lo, hi] bytes. */
export interface SizeBucket {
  lo: number;
  hi: number;
  count: number;
}

/** The requests of one allocation site. */
export interface SiteRow {
  /** The site as the trace wrote it. */
  site: string;
  /** Where it is: `module+0xADDR`, with ` function (file:line)` when addr2line knows; the site itself when the trace has no module holding it. */
  where: string;
  requests: number;
  /** Bytes requested. */
  bytes: number;
  /** Its blocks live after the last event, and their bytes. */
  liveBlocks: number;
  liveBytes: number;
}

/** Site rows kept in TraceStats.sites (the ones with the most bytes requested). */
export const SITE_ROWS = 20;

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
  /** Distinct allocation sites of the requests (0 for a trace without sites). */
  siteCount: number;
  /** The SITE_ROWS sites with the most bytes requested (then most requests, then by name). */
  sites: SiteRow[];
}

const BUCKETS = 54;

/** The histogram bucket of a request of `size` bytes: 0 for 0, else ⌊log2 size⌋ + 1. */
export function bucketOf(size: number): number {
  return size === 0 ? 0 : Math.floor(Math.log2(size)) + 1;
}

/**
 * The live blocks of a pass: id → requested size. Open addressing with linear probing in two
 * Float64Arrays of a power-of-two capacity (key 0 marks an empty slot: id 0 is never live),
 * at most half full; a removal shifts the following run back (no tombstones), so probes stay
 * short under any mix of allocations and frees. The home slot of an id is a multiplicative
 * hash of its two 32-bit halves, taken from the top bits (ids are addresses: low bits zero).
 */
export class LiveTable {
  private keys = new Float64Array(1024);
  private vals = new Float64Array(1024);
  private siteOf = new Int32Array(1024);
  private mask = 1023;
  private shift = 22;
  /** Live blocks. */
  size = 0;
  /** Sum of their sizes. */
  bytes = 0;

  private home(id: number): number {
    const lo = id >>> 0;
    const hi = (id / 4294967296) >>> 0;
    return Math.imul(lo ^ Math.imul(hi, 0x85ebca6b), 0x9e3779b1) >>> this.shift;
  }

  /** The slot of `id`, or −1 when it is not live. */
  private find(id: number): number {
    const keys = this.keys;
    for (let i = this.home(id); ; i = (i + 1) & this.mask) {
      const k = keys[i]!;
      if (k === id) return i;
      if (k === 0) return -1;
    }
  }

  /** The size of a live id, or −1. */
  get(id: number): number {
    const i = this.find(id);
    return i < 0 ? -1 : this.vals[i]!;
  }

  /** Makes `id` (non-zero) live with `size` bytes from site `site` (−1: none); returns the size it replaced, or −1 when it was not live. */
  set(id: number, size: number, site = -1): number {
    if (2 * (this.size + 1) > this.keys.length) this.grow();
    const keys = this.keys;
    let i = this.home(id);
    for (; keys[i] !== 0; i = (i + 1) & this.mask) {
      if (keys[i] === id) {
        const before = this.vals[i]!;
        this.vals[i] = size;
        this.siteOf[i] = site;
        this.bytes += size - before;
        return before;
      }
    }
    keys[i] = id;
    this.vals[i] = size;
    this.siteOf[i] = site;
    this.size++;
    this.bytes += size;
    return -1;
  }

  /** Ends `id`'s life; returns its size, or −1 when it was not live. */
  delete(id: number): number {
    let i = this.find(id);
    if (i < 0) return -1;
    const keys = this.keys;
    const vals = this.vals;
    const siteOf = this.siteOf;
    const mask = this.mask;
    const size = vals[i]!;
    this.size--;
    this.bytes -= size;
    // Backward shift: move each later entry of the run whose home is not in (i, j] into the hole.
    for (let j = (i + 1) & mask; keys[j] !== 0; j = (j + 1) & mask) {
      const h = this.home(keys[j]!);
      const stays = i <= j ? i < h && h <= j : i < h || h <= j;
      if (stays) continue;
      keys[i] = keys[j]!;
      vals[i] = vals[j]!;
      siteOf[i] = siteOf[j]!;
      i = j;
    }
    keys[i] = 0;
    return size;
  }

  /** Calls `f` for every live block: its size and site. */
  forEach(f: (size: number, site: number) => void): void {
    for (let i = 0; i < this.keys.length; i++) if (this.keys[i] !== 0) f(this.vals[i]!, this.siteOf[i]!);
  }

  private grow(): void {
    const oldKeys = this.keys;
    const oldVals = this.vals;
    const oldSites = this.siteOf;
    const cap = oldKeys.length * 2;
    this.keys = new Float64Array(cap);
    this.vals = new Float64Array(cap);
    this.siteOf = new Int32Array(cap);
    this.mask = cap - 1;
    this.shift--;
    const keys = this.keys;
    for (let s = 0; s < oldKeys.length; s++) {
      const id = oldKeys[s]!;
      if (id === 0) continue;
      let i = this.home(id);
      while (keys[i] !== 0) i = (i + 1) & this.mask;
      keys[i] = id;
      this.vals[i] = oldVals[s]!;
      this.siteOf[i] = oldSites[s]!;
    }
  }
}

/** Accumulates the statistics of consecutive chunks. */
class StatsPass {
  readonly buckets = new Float64Array(BUCKETS);
  readonly kinds = new Float64Array(5);
  readonly live = new LiveTable();
  peakLiveBytes = 0;
  peakLiveBlocks = 0;
  events = 0;
  requests = 0;
  failed = 0;
  unknownFrees = 0;
  reusedLiveIds = 0;
  under100 = 0;
  under1k = 0;
  atLeast128k = 0;
  largest = 0;
  program = '';
  /** The reader's site table and module map (shared by its chunks). */
  siteNames: readonly string[] = [];
  modules: readonly TraceModule[] = [];
  /** Requests and bytes by site index. */
  private siteRequests = new Float64Array(0);
  private siteBytes = new Float64Array(0);

  add(c: EventChunk): void {
    const live = this.live;
    const kinds = this.kinds;
    const buckets = this.buckets;
    this.program = c.program;
    this.events += c.count;
    this.siteNames = c.sites;
    if (c.modules !== undefined) this.modules = c.modules;
    if (this.siteRequests.length < c.sites.length) {
      const n = Math.max(c.sites.length, 2 * this.siteRequests.length);
      const r = new Float64Array(n);
      const b = new Float64Array(n);
      r.set(this.siteRequests);
      b.set(this.siteBytes);
      this.siteRequests = r;
      this.siteBytes = b;
    }
    const siteRequests = this.siteRequests;
    const siteBytes = this.siteBytes;
    for (let j = 0; j < c.count; j++) {
      const k = c.kind[j]!;
      const id = c.id[j]!;
      kinds[k]!++;
      if (k === EV_FREE) {
        if (live.delete(id) < 0) this.unknownFrees++;
        continue;
      }
      const size = c.size[j]!;
      if (k === EV_REALLOC) {
        const old = c.arg[j]!;
        if (id === 0 && size === 0) {
          if (old === 0) this.failed++;
          else if (live.delete(old) < 0) this.unknownFrees++;
          continue;
        }
        if (id !== 0 && old !== 0 && live.delete(old) < 0) this.unknownFrees++;
      }
      this.requests++;
      if (size < 100) this.under100++;
      if (size < 1024) this.under1k++;
      if (size >= 131072) this.atLeast128k++;
      if (size > this.largest) this.largest = size;
      buckets[bucketOf(size)]!++;
      const site = c.site[j]!;
      if (site >= 0) {
        siteRequests[site]!++;
        siteBytes[site]! += size;
      }
      if (id === 0) {
        this.failed++;
        continue;
      }
      if (live.set(id, size, site) >= 0) this.reusedLiveIds++;
      if (live.bytes > this.peakLiveBytes) this.peakLiveBytes = live.bytes;
      if (live.size > this.peakLiveBlocks) this.peakLiveBlocks = live.size;
    }
  }

  /** The SITE_ROWS sites with the most bytes requested, and how many sites there are. */
  private siteRows(options: SymboliseOptions): { count: number; rows: SiteRow[] } {
    const names = this.siteNames;
    const liveBlocks = new Float64Array(names.length);
    const liveBytes = new Float64Array(names.length);
    this.live.forEach((size, site) => {
      if (site < 0) return;
      liveBlocks[site]!++;
      liveBytes[site]! += size;
    });
    const used: number[] = [];
    for (let i = 0; i < names.length; i++) if (this.siteRequests[i]! > 0) used.push(i);
    used.sort((x, y) => this.siteBytes[y]! - this.siteBytes[x]! || this.siteRequests[y]! - this.siteRequests[x]! || (names[x]! < names[y]! ? -1 : 1));
    const top = used.slice(0, SITE_ROWS);
    const where = symboliseSites(top.map((i) => names[i]!), this.modules, options);
    const rows = top.map((i) => ({
      site: names[i]!,
      where: where.get(names[i]!)?.text ?? names[i]!,
      requests: this.siteRequests[i]!,
      bytes: this.siteBytes[i]!,
      liveBlocks: liveBlocks[i]!,
      liveBytes: liveBytes[i]!,
    }));
    return { count: used.length, rows };
  }

  result(options: SymboliseOptions = {}): TraceStats {
    const buckets = this.buckets;
    let first = buckets.findIndex((b) => b > 0);
    let last = BUCKETS - 1;
    while (last > 0 && buckets[last] === 0) last--;
    if (first < 0) first = last + 1;
    const sizes: SizeBucket[] = [];
    for (let b = first; b <= last; b++) sizes.push({ lo: b === 0 ? 0 : 2 ** (b - 1), hi: b === 0 ? 0 : 2 ** b - 1, count: buckets[b]! });
    const requests = this.requests;
    const share = (n: number): number => (requests > 0 ? n / requests : NaN);
    const byKind = Object.fromEntries([...EVENT_LETTERS].map((l, i) => [l, this.kinds[i]!])) as KindCounts;
    const sites = this.siteRows(options);
    return {
      program: this.program,
      events: this.events,
      byKind,
      requests,
      failed: this.failed,
      unknownFrees: this.unknownFrees,
      reusedLiveIds: this.reusedLiveIds,
      peakLiveBytes: this.peakLiveBytes,
      peakLiveBlocks: this.peakLiveBlocks,
      liveAtEnd: { blocks: this.live.size, bytes: this.live.bytes },
      under100: share(this.under100),
      under1k: share(this.under1k),
      atLeast128k: share(this.atLeast128k),
      largest: this.largest,
      sizes,
      siteCount: sites.count,
      sites: sites.rows,
    };
  }
}

/**
 * Reads a source once and returns its statistics. Sites in the source's module map are shown as
 * module+offset, with function and line from addr2line unless `options.addr2line` is false.
 */
export async function traceStats(source: TraceSource, options: SymboliseOptions = {}): Promise<TraceStats> {
  const pass = new StatsPass();
  for await (const c of source.open()) pass.add(c);
  return pass.result(options);
}

/** Options of `traceFileStats`. */
export interface FileStatsOptions extends SymboliseOptions {
  /** Show a progress bar (MiB of the file read) on stderr when the pass lasts over `delayMs` on a terminal. Default false. */
  progress?: boolean;
  /** Where the bar goes (default process.stderr; it shows only on a terminal). */
  stream?: NodeJS.WriteStream;
  /** Milliseconds before the bar appears. Default 1000. */
  delayMs?: number;
}

/** Reads a trace file once and returns its statistics, with a progress bar by MiB read when asked. */
export async function traceFileStats(file: string, options: FileStatsOptions = {}): Promise<TraceStats> {
  const t = await openTrace(file);
  const pass = new StatsPass();
  const MiB = 2 ** 20;
  const bar = options.progress ? progressBar(Math.max(1, Math.ceil(t.fileSize / MiB)), { stream: options.stream, delayMs: options.delayMs }) : null;
  let shown = 0;
  try {
    for await (const c of t.chunks()) {
      pass.add(c);
      if (bar === null) continue;
      const done = Math.floor(t.bytesRead / MiB);
      const what = `MiB of ${file}, ${pass.events.toLocaleString('en-US')} events`;
      if (done === shown) bar.label(what);
      while (shown < done) {
        shown++;
        bar.tick(what);
      }
    }
  } finally {
    bar?.stop();
  }
  return pass.result(options);
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
  lines.push(...siteLines(s, TERMINAL_SITE_ROWS));
  return lines;
}

/** Site rows shown in the terminal. */
const TERMINAL_SITE_ROWS = 10;

/** The top sites as a small table (none when the trace has no sites). */
export function siteLines(s: TraceStats, limit = TERMINAL_SITE_ROWS): string[] {
  if (s.sites.length === 0) return [];
  const rows = s.sites.slice(0, limit);
  const cells = rows.map((r) => [num(r.bytes), num(r.requests), `${num(r.liveBlocks)} (${formatBytes(r.liveBytes)})`, r.where]);
  const head = ['bytes', 'requests', 'live at end', 'site'];
  const w = head.map((h, c) => Math.max(h.length, ...cells.map((row) => row[c]!.length)));
  const fmt = (row: string[]): string => `    ${row.slice(0, 3).map((x, c) => x.padStart(w[c]!)).join('  ')}  ${row[3]}`;
  return [`  allocation sites by bytes requested (${rows.length} of ${num(s.siteCount)}):`, fmt(head), ...cells.map(fmt)];
}
