/*
 * stats: per-size histograms of the requests an allocator serves, the figure the
 * LD_PRELOAD article ends with (98% of a real program's requests are under 100 bytes).
 *
 * Buckets (computed, not typed): sizes 0 … 1024 in steps of 16 — bucket 0 holds size 0,
 * bucket k (1 ≤ k ≤ 64) holds 16(k−1)+1 … 16k — then one bucket per power of two:
 * bucket 64 + j holds 2^(9+j)+1 … 2^(10+j), up to 2^53. Per bucket, per call kind
 * (malloc, calloc, memalign, realloc), the number of requests; and the live blocks and bytes.
 *
 * Invariants: Σ live over buckets = live blocks made through this wrapper; `sizeOf` holds the
 * requested size of each of them (frees find their bucket there).
 */

import type { Allocator } from '../api.js';
import { WrapperBase } from './base.js';

const FINE = 64; // buckets of 16 bytes up to 1024
export const STATS_BUCKETS = FINE + 1 + 44; // … up to 2^53
const KINDS = ['malloc', 'calloc', 'memalign', 'realloc'] as const;
/** The kinds of request counted per bucket. */
export type RequestKind = (typeof KINDS)[number];

/** Options of the stats wrapper. */
export interface StatsOptions {
  /** Leave out of `histogram()` the buckets no request and no live block fell in. Default true. */
  skipEmpty: boolean;
}

export const STATS_DEFAULTS: Readonly<StatsOptions> = Object.freeze({ skipEmpty: true });

/** The bucket of a request size. */
export function sizeBucket(size: number): number {
  if (size <= 1024) return Math.ceil(size / 16);
  return FINE + Math.ceil(Math.log2(size)) - 10;
}

/** The smallest and largest size of a bucket. */
export function bucketRange(b: number): { min: number; max: number } {
  if (b === 0) return { min: 0, max: 0 };
  if (b <= FINE) return { min: 16 * (b - 1) + 1, max: 16 * b };
  return { min: 2 ** (b - FINE + 9) + 1, max: 2 ** (b - FINE + 10) };
}

/** One row of the histogram. */
export interface HistogramRow {
  min: number;
  max: number;
  /** Requests by kind (failed ones included). */
  malloc: number;
  calloc: number;
  memalign: number;
  realloc: number;
  /** Blocks of this size live now, and their requested bytes. */
  live: number;
  liveBytes: number;
}

export class StatsAllocator extends WrapperBase {
  readonly options: Readonly<StatsOptions>;
  /** requests[kind × STATS_BUCKETS + bucket] */
  private readonly requests = new Float64Array(KINDS.length * STATS_BUCKETS);
  private readonly live = new Float64Array(STATS_BUCKETS);
  private readonly liveBytes = new Float64Array(STATS_BUCKETS);
  private readonly sizeOf = new Map<number, number>();

  constructor(inner: Allocator, options: Partial<StatsOptions> = {}) {
    const o = { ...STATS_DEFAULTS, ...options };
    if (typeof o.skipEmpty !== 'boolean') throw new TypeError(`stats: option skipEmpty must be a boolean, got ${String(o.skipEmpty)}`);
    super(inner, { name: 'stats', description: 'per-size histograms of requests and live blocks', parameters: { ...o } });
    this.options = Object.freeze(o);
  }

  private count(kind: number, size: number): void {
    if (Number.isSafeInteger(size) && size >= 0) this.requests[kind * STATS_BUCKETS + sizeBucket(size)]!++;
  }

  private born(ptr: number, size: number): void {
    if (ptr === 0) return;
    this.sizeOf.set(ptr, size);
    const b = sizeBucket(size);
    this.live[b]!++;
    this.liveBytes[b]! += size;
  }

  private died(ptr: number): void {
    const size = this.sizeOf.get(ptr);
    if (size === undefined) return;
    this.sizeOf.delete(ptr);
    const b = sizeBucket(size);
    this.live[b]!--;
    this.liveBytes[b]! -= size;
  }

  override malloc(size: number): number {
    const p = this.inner.malloc(size);
    this.count(0, size);
    this.born(p, size);
    return p;
  }

  override calloc(n: number, size: number): number {
    const p = this.inner.calloc(n, size);
    this.count(1, n * size);
    this.born(p, n * size);
    return p;
  }

  override memalign(alignment: number, size: number): number {
    const p = this.inner.memalign(alignment, size);
    this.count(2, size);
    this.born(p, size);
    return p;
  }

  override realloc(ptr: number, size: number): number {
    const p = this.inner.realloc(ptr, size);
    if (ptr === 0) {
      this.count(0, size);
    } else {
      this.count(3, size);
      if (size === 0 || p !== 0) this.died(ptr);
    }
    if (size !== 0) this.born(p, size);
    return p;
  }

  override free(ptr: number, size?: number): void {
    this.inner.free(ptr, size);
    this.died(ptr);
  }

  /** The histogram, smallest sizes first (empty buckets skipped unless `skipEmpty` is false). */
  histogram(): HistogramRow[] {
    const rows: HistogramRow[] = [];
    for (let b = 0; b < STATS_BUCKETS; b++) {
      const r = this.requests;
      const row: HistogramRow = {
        ...bucketRange(b),
        malloc: r[b]!,
        calloc: r[STATS_BUCKETS + b]!,
        memalign: r[2 * STATS_BUCKETS + b]!,
        realloc: r[3 * STATS_BUCKETS + b]!,
        live: this.live[b]!,
        liveBytes: this.liveBytes[b]!,
      };
      if (!this.options.skipEmpty || row.malloc + row.calloc + row.memalign + row.realloc + row.live > 0) rows.push(row);
    }
    return rows;
  }

  /** Share of requests (every kind) of at most `bytes` bytes, 0 … 1 (bucket-exact when bytes ≤ 1024 is a multiple of 16). */
  shareAtMost(bytes: number): number {
    let under = 0;
    let all = 0;
    for (let b = 0; b < STATS_BUCKETS; b++) {
      let n = 0;
      for (let k = 0; k < KINDS.length; k++) n += this.requests[k * STATS_BUCKETS + b]!;
      all += n;
      if (bucketRange(b).max <= bytes) under += n;
    }
    return all === 0 ? 0 : under / all;
  }
}

/** Wraps an allocator with per-size histograms. */
export function createStatsAllocator(inner: Allocator, options: Partial<StatsOptions> = {}): StatsAllocator {
  return new StatsAllocator(inner, options);
}
