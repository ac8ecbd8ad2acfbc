/*
 * producer-consumer — messages through a bounded queue: a producer allocates bursts of 1 … 64
 * messages (95% 16 … 2,048 B, 5% 2,049 … 16,384 B) while the queue (depth 1,024) has room, and a
 * consumer frees bursts of 1 … 64 of the oldest. Every block is freed by the consumer, not its
 * allocator's user — across workers, a remote free. As a trace it is one interleaved stream
 * (what the native driver and single-threaded replays run); `runSharedProducerConsumer`
 * (shared-run.ts) runs the same bursts with the producer and the consumer in two workers over
 * one SharedArrayBuffer, for allocators that can be shared.
 *
 * The queue is a ring of ids. Draws per burst: int(1, 64) its length; per message float() then
 * int(lo, hi). Producer and consumer bursts alternate, producer first.
 */

import { Rng } from './rng.js';
import { EventWriter } from './writer.js';
import type { Workload, WorkloadOptions } from './api.js';

export const PRODUCER_CONSUMER = Object.freeze({ ops: 1_000_000, depth: 1_024, maxBurst: 64 });

/** A message size: 95% 16 … 2,048 B, 5% 2,049 … 16,384 B. */
export function messageSize(rng: Rng): number {
  return rng.float() < 0.95 ? rng.int(16, 2048) : rng.int(2049, 16384);
}

export const producerConsumer: Workload = {
  name: 'producer-consumer',
  description: 'bursts of 1–64 messages (16 B–16 KiB) through a queue of depth 1,024, freed oldest first by the consumer',
  defaultOps: PRODUCER_CONSUMER.ops,
  *events(options: WorkloadOptions) {
    const w = new EventWriter('producer-consumer', options, PRODUCER_CONSUMER.ops);
    const rng = new Rng(options.seed);
    const depth = PRODUCER_CONSUMER.depth;
    const ring = new Float64Array(depth);
    let head = 0;
    let count = 0;
    while (!w.done) {
      const produce = rng.int(1, PRODUCER_CONSUMER.maxBurst);
      for (let k = 0; k < produce && count < depth && !w.done; k++) {
        ring[(head + count) % depth] = w.malloc(messageSize(rng));
        count++;
        yield* w.flush();
      }
      const consume = rng.int(1, PRODUCER_CONSUMER.maxBurst);
      for (let k = 0; k < consume && count > 0 && !w.done; k++) {
        w.free(ring[head]!);
        head = (head + 1) % depth;
        count--;
        yield* w.flush();
      }
    }
    yield* w.finish();
  },
};
