/*
 * larson — a larson-style server (Larson & Krishnan, "Memory allocation for long-running server
 * applications", 1998): 8 threads each own 1,000 slots; a thread runs in bursts of 100 steps,
 * each replacing a random slot's block — free it, allocate a new one of 8 … 1,000 B. Every
 * 10,000 steps of a thread, the thread "exits" and its successor takes its slots over, so a
 * block is often freed long after, and (in a threaded run) by another thread than, the one
 * that allocated it. As a trace it is one interleaved stream: what it shows here is a steady
 * state of 8,000 live blocks with uniform sizes and random replacement — an allocator's
 * behaviour when nothing about lifetimes can be predicted.
 *
 * Slots are one Float64Array of ids (thread t's slot i at t·1000 + i); all are filled first.
 * Draws: per allocation int(8, 1000); per step int(0, 999) the slot; per burst int(0, 7) the thread.
 */

import { Rng } from './rng.js';
import { EventWriter } from './writer.js';
import type { Workload, WorkloadOptions } from './api.js';

export const LARSON = Object.freeze({ ops: 1_000_000, threads: 8, slots: 1_000, burst: 100, minSize: 8, maxSize: 1000 });

export const larson: Workload = {
  name: 'larson',
  description: 'larson-style server: 8 × 1,000 slots, bursts of random slot replacement (free + malloc 8–1,000 B)',
  defaultOps: LARSON.ops,
  *events(options: WorkloadOptions) {
    const w = new EventWriter('larson', options, LARSON.ops);
    const rng = new Rng(options.seed);
    const slots = new Float64Array(LARSON.threads * LARSON.slots);
    for (let i = 0; i < slots.length && !w.done; i++) {
      slots[i] = w.malloc(rng.int(LARSON.minSize, LARSON.maxSize));
      yield* w.flush();
    }
    while (!w.done) {
      const t = rng.int(0, LARSON.threads - 1);
      for (let k = 0; k < LARSON.burst && !w.done; k++) {
        const i = t * LARSON.slots + rng.int(0, LARSON.slots - 1);
        w.free(slots[i]!);
        slots[i] = w.malloc(rng.int(LARSON.minSize, LARSON.maxSize));
        yield* w.flush();
      }
    }
    yield* w.finish();
  },
};
