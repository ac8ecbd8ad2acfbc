/*
 * histogram — the size histogram of the article "Experiments with malloc" (on replacing and tracing malloc with LD_PRELOAD): 98% of a
 * real program's requests (clang) are under 100 bytes. Sizes:
 *   98%  under 100 B: half of them multiples of 8 (8 … 96, the k-th with weight ∝ 1/k, structs
 *        and small strings), half uniform on 1 … 99
 *    2%  log-uniform on 100 … 65,536 B (⌊100 · 655.36^u⌋)
 * Lifetimes as a program's: after 10,000 allocations, each step allocates with probability
 * 0.5 + (10,000 − live) / 20,000 (so about 10,000 blocks stay live) and otherwise frees — 80% of
 * the time one of the 32 most recent blocks (short-lived temporaries), else a uniformly chosen one.
 *
 * Draws per step, in order: [after warm-up] float() alloc-or-free; alloc: float() tail-or-small,
 * then small: float() multiple-of-8-or-uniform, then the size draw (float() into the 1/k table,
 * or int(1, 99)); tail: float(); free: float() recent-or-any, then int(…) the index.
 */

import { Rng } from './rng.js';
import { EventWriter, LiveList } from './writer.js';
import type { Workload, WorkloadOptions } from './api.js';

export const HISTOGRAM = Object.freeze({ ops: 1_000_000, warmup: 10_000, target: 10_000, small: 0.98, recent: 32, recentShare: 0.8 });

/** Cumulative weights of 8k, k = 1 … 12, weight ∝ 1/k (computed, not typed). */
const MULTIPLES = (() => {
  const w = Array.from({ length: 12 }, (_, i) => 1 / (i + 1));
  const total = w.reduce((a, b) => a + b, 0);
  let acc = 0;
  return Float64Array.from(w, (x) => (acc += x / total));
})();

/** One request size drawn from the histogram. */
export function histogramSize(rng: Rng): number {
  if (rng.float() < HISTOGRAM.small) {
    if (rng.float() < 0.5) {
      const u = rng.float();
      let k = 0;
      while (k < MULTIPLES.length - 1 && u >= MULTIPLES[k]!) k++;
      return 8 * (k + 1);
    }
    return rng.int(1, 99);
  }
  return Math.min(65536, Math.floor(100 * Math.pow(655.36, rng.float())));
}

export const histogram: Workload = {
  name: 'histogram',
  description: "the article's size histogram: 98% of requests under 100 B, mostly short-lived, ~10,000 live",
  defaultOps: HISTOGRAM.ops,
  *events(options: WorkloadOptions) {
    const w = new EventWriter('histogram', options, HISTOGRAM.ops);
    const rng = new Rng(options.seed);
    const live = new LiveList(2 * HISTOGRAM.target);
    while (!w.done) {
      const allocate = live.count === 0 || w.written < HISTOGRAM.warmup || rng.float() < 0.5 + (HISTOGRAM.target - live.count) / (2 * HISTOGRAM.target);
      if (allocate) {
        const size = histogramSize(rng);
        live.add(w.malloc(size), size);
      } else {
        const n = live.count;
        const i = rng.float() < HISTOGRAM.recentShare ? n - 1 - rng.int(0, Math.min(HISTOGRAM.recent, n) - 1) : rng.int(0, n - 1);
        w.free(live.take(i));
      }
      yield* w.flush();
    }
    yield* w.finish();
  },
};
