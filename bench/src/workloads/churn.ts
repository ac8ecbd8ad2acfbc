/*
 * churn — the reference workload: 2,000,000 events; the first 10,000 allocate; then
 * each step allocates with probability 0.5 + (10,000 − live) / 20,000 and otherwise frees a
 * uniformly chosen live block, so the live count hovers around 10,000. Sizes are uniform within
 * bands: 90% 8–100 B, 9% 101–4,096 B, 1% 4,097–262,144 B. No block is freed at the end.
 *
 * Draws from the Rng (rng.ts), in this order, per step:
 *   step ≥ 10,000:  float() < p ? allocate : free        (one draw; no draw in the first 10,000)
 *   allocate:       band = float() (< 0.90 small, < 0.99 medium, else large), then int(lo, hi)
 *   free:           index = int(0, live − 1) in the live list
 * The live list is an array of ids; a free moves the last entry into the freed one's place.
 * Ids are 1, 2, … with freed ids reused last-freed-first (a stack), so the table of ids a replay
 * needs stays near the live count.
 */

import { createEventChunk, pushEvent, EV_FREE, EV_MALLOC, type EventChunk } from '@heaplab/core';
import { Rng } from './rng.js';
import type { Workload, WorkloadOptions } from './api.js';

/** The parameters of churn, as the brief gives them. */
export const CHURN = Object.freeze({
  ops: 2_000_000,
  warmup: 10_000,
  target: 10_000,
  /** [upper cumulative probability, lo, hi] of each size band. */
  bands: Object.freeze([
    [0.9, 8, 100],
    [0.99, 101, 4096],
    [1, 4097, 262144],
  ] as const),
});

function checkOptions(o: WorkloadOptions, defaultOps: number): { ops: number; chunk: number } {
  const ops = o.ops ?? defaultOps;
  if (!Number.isInteger(ops) || ops < 0) throw new RangeError(`ops must be a non-negative integer, got ${ops}`);
  const chunk = o.chunkEvents ?? 65536;
  if (!Number.isInteger(chunk) || chunk < 1) throw new RangeError(`chunkEvents must be a positive integer, got ${chunk}`);
  return { ops, chunk };
}

export const churn: Workload = {
  name: 'churn',
  description: 'the reference: ~10,000 live blocks, random frees, sizes 90% 8–100 B, 9% 101–4096 B, 1% 4 KiB–256 KiB',
  defaultOps: CHURN.ops,
  *events(options: WorkloadOptions): Iterable<EventChunk> {
    const { ops, chunk } = checkOptions(options, CHURN.ops);
    const rng = new Rng(options.seed);
    const sites: string[] = [];
    let liveIds = new Float64Array(2 * CHURN.target);
    let live = 0;
    let freeIds = new Float64Array(2 * CHURN.target);
    let freeTop = 0;
    let nextId = 1;
    let c = createEventChunk(Math.min(chunk, Math.max(ops, 1)), 0, sites, 'churn');
    for (let step = 0; step < ops; step++) {
      if (c.count === c.kind.length) {
        yield c;
        c = createEventChunk(Math.min(chunk, ops - step), step, sites, 'churn');
      }
      const allocate = step < CHURN.warmup || rng.float() < 0.5 + (CHURN.target - live) / (2 * CHURN.target);
      if (allocate) {
        const u = rng.float();
        const band = u < CHURN.bands[0][0] ? CHURN.bands[0] : u < CHURN.bands[1][0] ? CHURN.bands[1] : CHURN.bands[2];
        const size = rng.int(band[1], band[2]);
        const id = freeTop > 0 ? freeIds[--freeTop]! : nextId++;
        if (live === liveIds.length) {
          const l = new Float64Array(live * 2);
          l.set(liveIds);
          liveIds = l;
        }
        liveIds[live++] = id;
        pushEvent(c, EV_MALLOC, id, 0, size, -1, step + 2);
      } else {
        const i = rng.int(0, live - 1);
        const id = liveIds[i]!;
        liveIds[i] = liveIds[--live]!;
        if (freeTop === freeIds.length) {
          const f = new Float64Array(freeTop * 2);
          f.set(freeIds);
          freeIds = f;
        }
        freeIds[freeTop++] = id;
        pushEvent(c, EV_FREE, id, 0, 0, -1, step + 2);
      }
    }
    if (c.count > 0) yield c;
  },
};
