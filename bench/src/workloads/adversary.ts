/*
 * adversary — a fragmentation adversary: in each round, allocate 2,000 pairs of blocks of
 * alternating sizes (a hole-to-be of size a, then a small pin of 16 … 31 B), free every other
 * block (all the a's), then ask for 2,000 larger blocks of 2a + 16 … 2a + 31 B, which fit no
 * hole: the holes sit between live pins and cannot coalesce. The hole size a cycles through
 * 16, 32, … 512 B (a = 16 · 2^(round mod 6)), so a round's holes are too small for the next
 * rounds' requests too. A round's pins and large blocks are freed four rounds later, so about
 * 16,000 blocks stay live while the holes accumulate. What it shows: M4 of a policy that cannot
 * move blocks; free-list allocators pay for every hole, size-class allocators reuse them only
 * for the same class.
 *
 * Each round's blocks are kept in a ring of 4 rounds (ids in Float64Arrays). Draws: per pin
 * int(16, 31), per large block int(2a + 16, 2a + 31); sizes a are exact.
 */

import { Rng } from './rng.js';
import { EventWriter } from './writer.js';
import type { Workload, WorkloadOptions } from './api.js';

export const ADVERSARY = Object.freeze({ ops: 600_000, pairs: 2_000, keepRounds: 4, classes: 6 });

export const adversary: Workload = {
  name: 'adversary',
  description: 'fragmentation adversary: alternate hole and pin blocks, free the holes, ask for larger blocks; rounds live 4 rounds',
  defaultOps: ADVERSARY.ops,
  *events(options: WorkloadOptions) {
    const w = new EventWriter('adversary', options, ADVERSARY.ops);
    const rng = new Rng(options.seed);
    const n = ADVERSARY.pairs;
    const kept = Array.from({ length: ADVERSARY.keepRounds }, () => new Float64Array(2 * n));
    const holes = new Float64Array(n);
    for (let round = 0; !w.done; round++) {
      const a = 16 << (round % ADVERSARY.classes);
      const mine = kept[round % ADVERSARY.keepRounds]!;
      // Four rounds later: free this slot's old pins and large blocks (0 where none).
      for (let k = 0; k < mine.length && !w.done; k++) {
        if (mine[k] !== 0) w.free(mine[k]!);
        mine[k] = 0;
        yield* w.flush();
      }
      for (let k = 0; k < n && !w.done; k++) {
        holes[k] = w.malloc(a);
        mine[k] = w.malloc(rng.int(16, 31));
        yield* w.flush();
      }
      for (let k = 0; k < n && !w.done; k++) {
        w.free(holes[k]!);
        holes[k] = 0;
        yield* w.flush();
      }
      for (let k = 0; k < n && !w.done; k++) {
        mine[n + k] = w.malloc(rng.int(2 * a + 16, 2 * a + 31));
        yield* w.flush();
      }
    }
    yield* w.finish();
  },
};
