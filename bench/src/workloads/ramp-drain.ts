/*
 * ramp-drain — phases of growth and full release, as a batch job or a compiler pass: each cycle
 * allocates N blocks (N uniform on 5,000 … 20,000), then frees all of them in a random order.
 * Even cycles ask for small sizes (16 … 256 B), odd cycles for medium ones (257 … 4,096 B, and
 * 2% 4,097 … 65,536 B), so a cycle finds the previous cycle's memory cut to the wrong sizes. What
 * it shows: whether used memory falls back after a drain (pages returned, top trimmed), and how
 * much of the old cycle's memory the next one reuses (M1 against M4).
 *
 * Draws: per cycle int(5000, 20000); per allocation (odd cycles: float() then) int(lo, hi);
 * per free int(0, live − 1).
 */

import { Rng } from './rng.js';
import { EventWriter, LiveList } from './writer.js';
import type { Workload, WorkloadOptions } from './api.js';

export const RAMP_DRAIN = Object.freeze({ ops: 1_000_000, minBlocks: 5_000, maxBlocks: 20_000 });

export const rampDrain: Workload = {
  name: 'ramp-drain',
  description: 'cycles of 5,000–20,000 allocations then freeing them all in random order; small and medium sizes alternate by cycle',
  defaultOps: RAMP_DRAIN.ops,
  *events(options: WorkloadOptions) {
    const w = new EventWriter('ramp-drain', options, RAMP_DRAIN.ops);
    const rng = new Rng(options.seed);
    const live = new LiveList(RAMP_DRAIN.maxBlocks);
    for (let cycle = 0; !w.done; cycle++) {
      const n = rng.int(RAMP_DRAIN.minBlocks, RAMP_DRAIN.maxBlocks);
      for (let k = 0; k < n && !w.done; k++) {
        const size = cycle % 2 === 0 ? rng.int(16, 256) : rng.float() < 0.98 ? rng.int(257, 4096) : rng.int(4097, 65536);
        live.add(w.malloc(size), size);
        yield* w.flush();
      }
      while (live.count > 0 && !w.done) {
        w.free(live.take(rng.int(0, live.count - 1)));
        yield* w.flush();
      }
    }
    yield* w.finish();
  },
};
