/*
 * fifo — frees in the order of allocation, as a queue of requests or a log buffer: 10,000
 * blocks first, then each step frees the oldest block and allocates a new one, so the live
 * blocks slide through the heap. Sizes: 90% 8 … 512 B, 10% 513 … 8,192 B (as lifo). What it
 * shows: whether freed memory at the old end is reused (or given back) as the new end grows.
 *
 * The queue is a ring of ids (Float64Array). Draws: per block float() then int(lo, hi).
 */

import { Rng } from './rng.js';
import { EventWriter } from './writer.js';
import { stackSize } from './lifo.js';
import type { Workload, WorkloadOptions } from './api.js';

export const FIFO = Object.freeze({ ops: 1_000_000, depth: 10_000 });

export const fifo: Workload = {
  name: 'fifo',
  description: '10,000 live blocks in a queue: each step frees the oldest and allocates a new one',
  defaultOps: FIFO.ops,
  *events(options: WorkloadOptions) {
    const w = new EventWriter('fifo', options, FIFO.ops);
    const rng = new Rng(options.seed);
    const ring = new Float64Array(FIFO.depth);
    let head = 0;
    let count = 0;
    while (!w.done) {
      if (count === FIFO.depth) {
        w.free(ring[head]!);
        head = (head + 1) % FIFO.depth;
        count--;
      } else {
        ring[(head + count) % FIFO.depth] = w.malloc(stackSize(rng));
        count++;
      }
      yield* w.flush();
    }
    yield* w.finish();
  },
};
