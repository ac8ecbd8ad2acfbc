/*
 * lifo — frees in the reverse order of allocation, as a stack of scopes or an arena-like parser
 * does: 1,000 long-lived blocks first, then batches of 1 … 4,000 allocations each freed newest
 * first. Sizes: 90% 8 … 512 B, 10% 513 … 8,192 B. What it shows: allocators that hand the last
 * freed block out first (and trim at the top) keep used memory at the batch's size.
 *
 * Draws: per block float() then int(lo, hi); per batch int(1, 4000).
 */

import { Rng } from './rng.js';
import { EventWriter, LiveList } from './writer.js';
import type { Workload, WorkloadOptions } from './api.js';

export const LIFO = Object.freeze({ ops: 1_000_000, base: 1_000, maxBatch: 4_000 });

/** 90% 8 … 512 B, 10% 513 … 8,192 B (lifo and fifo). */
export function stackSize(rng: Rng): number {
  return rng.float() < 0.9 ? rng.int(8, 512) : rng.int(513, 8192);
}

export const lifo: Workload = {
  name: 'lifo',
  description: '1,000 long-lived blocks, then batches of 1–4,000 blocks freed newest first (a stack)',
  defaultOps: LIFO.ops,
  *events(options: WorkloadOptions) {
    const w = new EventWriter('lifo', options, LIFO.ops);
    const rng = new Rng(options.seed);
    const batch = new LiveList(LIFO.maxBatch);
    for (let k = 0; k < LIFO.base && !w.done; k++) {
      w.malloc(stackSize(rng));
      yield* w.flush();
    }
    while (!w.done) {
      const n = rng.int(1, LIFO.maxBatch);
      for (let k = 0; k < n && !w.done; k++) {
        const size = stackSize(rng);
        batch.add(w.malloc(size), size);
        yield* w.flush();
      }
      while (batch.count > 0 && !w.done) {
        w.free(batch.pop());
        yield* w.flush();
      }
    }
    yield* w.finish();
  },
};
