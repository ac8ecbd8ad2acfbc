/*
 * The statistics of time figures: a median with its spread over interleaved runs, a noisy mark,
 * and the ratio of two medians with a bootstrap interval.
 *
 * Spread: min, max, and the quartiles by linear interpolation between order statistics (type 7,
 * as R and NumPy default to). A time is noisy when (q3 − q1) / median passes the threshold
 * (default 0.1), or when it comes from one run (nothing says how far it would move).
 *
 * Ratio interval (percentile bootstrap): resample each side's runs with replacement, take the
 * ratio of the two resampled medians, repeat B = 2,000 times; the interval is the 2.5th and
 * 97.5th percentiles. The generator is seeded (a fixed seed), so the same runs give the same
 * interval. With 5 runs a side the interval is coarse — it can only take values that are ratios
 * of observed runs — which is the honest width of 5 runs.
 */

import { median } from '@heaplab/core';
import { Rng } from '../workloads/rng.js';
import type { RatioInterval, Spread } from './api.js';

/** Default threshold of the noisy mark: the interquartile range over the median. */
export const NOISY_ABOVE = 0.1;
/** Bootstrap resamples. */
export const BOOTSTRAP_ROUNDS = 2000;
const BOOTSTRAP_SEED = 0x5eed;

/** The q-quantile (0 ≤ q ≤ 1) of sorted values, interpolated. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}

/** Median and spread of runs. */
export function spread(values: readonly number[], noisyAbove = NOISY_ABOVE): Spread {
  const s = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  const m = median(s);
  const q1 = quantile(s, 0.25);
  const q3 = quantile(s, 0.75);
  const iqrRatio = m > 0 ? (q3 - q1) / m : NaN;
  return { median: m, min: s[0] ?? NaN, max: s[s.length - 1] ?? NaN, q1, q3, n: s.length, iqrRatio, noisy: s.length < 2 || !(iqrRatio <= noisyAbove) };
}

/** median(a) / median(b) with a percentile-bootstrap 95% interval. */
export function ratioInterval(a: readonly number[], b: readonly number[], rounds = BOOTSTRAP_ROUNDS): RatioInterval {
  const ratio = median(a) / median(b);
  if (a.length === 0 || b.length === 0 || !Number.isFinite(ratio)) return { ratio, lo: NaN, hi: NaN };
  const rng = new Rng(BOOTSTRAP_SEED);
  const ra = new Array<number>(a.length);
  const rb = new Array<number>(b.length);
  const out = new Float64Array(rounds);
  for (let k = 0; k < rounds; k++) {
    for (let i = 0; i < a.length; i++) ra[i] = a[rng.int(0, a.length - 1)]!;
    for (let i = 0; i < b.length; i++) rb[i] = b[rng.int(0, b.length - 1)]!;
    out[k] = median(ra) / median(rb);
  }
  out.sort();
  return { ratio, lo: quantile(Array.from(out), 0.025), hi: quantile(Array.from(out), 0.975) };
}

/** How two sets of runs compare: B's median over A's with its interval, and a verdict. */
export function verdict(a: readonly number[], b: readonly number[]): RatioInterval & { verdict: 'faster' | 'slower' | 'not distinguishable' } {
  const r = ratioInterval(b, a);
  const v = r.hi < 1 ? 'faster' : r.lo > 1 ? 'slower' : 'not distinguishable';
  return { ...r, verdict: v };
}

/** `123 ns (110–140, ±6%)`-style text of a spread: median, min–max, and a noisy mark. */
export function spreadText(s: Spread, digits = (n: number) => (n >= 100 ? n.toFixed(0) : n.toFixed(1))): string {
  if (s.n === 0) return '—';
  if (s.n === 1) return `${digits(s.median)} (1 run)`;
  return `${digits(s.median)} (${digits(s.min)}–${digits(s.max)})${s.noisy ? ' noisy' : ''}`;
}
