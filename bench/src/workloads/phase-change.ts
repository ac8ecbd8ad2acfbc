/*
 * phase-change — phases that each use a size band no other phase uses, each filled to the same
 * live bytes and then freed whole, as a program that moves from parsing (many small nodes) to
 * buffering (fewer large blocks) and on. The bands, in turn: 16–64 B, 1–4 KiB, 96–256 B,
 * 8–16 KiB, 300–900 B, 20–60 KiB, then again from the first. What it shows (Felker's point about
 * a bump allocator with free stacks): memory freed in one size class never serves another, so
 * such an allocator's footprint is the sum of the bands' peaks while a coalescing one's is about
 * one band's; once every band has been seen, neither grows (the free blocks of a band serve the
 * band's next phase).
 *
 * Draws: per allocation int(lo, hi) of the phase's band; per free int(0, live − 1). A phase
 * allocates until its live bytes reach PHASE_CHANGE.phaseBytes, then frees everything.
 */

import { Rng } from './rng.js';
import { EventWriter, LiveList } from './writer.js';
import type { Workload, WorkloadOptions } from './api.js';

export const PHASE_CHANGE = Object.freeze({
  ops: 250_000,
  /** Live bytes each phase reaches before it frees everything. */
  phaseBytes: 512 * 1024,
  bands: Object.freeze([
    [16, 64],
    [1024, 4096],
    [96, 256],
    [8192, 16384],
    [300, 900],
    [20_000, 60_000],
  ] as const),
});

export const phaseChange: Workload = {
  name: 'phase-change',
  description: 'phases of one size band each (16–64 B, 1–4 KiB, 96–256 B, 8–16 KiB, 300–900 B, 20–60 KiB, again), each filled to 512 KiB live and then freed whole',
  defaultOps: PHASE_CHANGE.ops,
  *events(options: WorkloadOptions) {
    const w = new EventWriter('phase-change', options, PHASE_CHANGE.ops);
    const rng = new Rng(options.seed);
    const live = new LiveList(4096);
    for (let phase = 0; !w.done; phase++) {
      const [lo, hi] = PHASE_CHANGE.bands[phase % PHASE_CHANGE.bands.length]!;
      let bytes = 0;
      while (bytes < PHASE_CHANGE.phaseBytes && !w.done) {
        const size = rng.int(lo, hi);
        live.add(w.malloc(size), size);
        bytes += size;
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
