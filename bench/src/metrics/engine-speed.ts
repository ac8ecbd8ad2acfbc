/*
 * Prints the replay engine's own speed: events per second with RingBumpAllocator (allocation is
 * a few additions, free does nothing), on the churn workload, speed touch. A figure, never a
 * test. Target: at least 5 million events per second. Every allocator's time per
 * event includes this floor.
 *
 *   node bench/dist/metrics/engine-speed.js [ops=2000000] [runs=5] [arenaMiB=64]
 *
 * The ring's arena sets how cold the memory the program writes is: with the default 64 MiB every
 * block is fresh memory (a cache and TLB miss per block, and, on the first lap, a first touch of
 * each page inside the timed loop: runs take no sample before their end, as every timed run), colder
 * than an allocator that reuses freed blocks; a smaller arena (at least 1 MiB: the largest churn
 * block is 256 KiB) shows the floor on warm memory.
 */

import { prepareReplay, runReplay, median } from '@heaplab/core';
import { churn, workloadSource, DEFAULT_SEED } from '../workloads/index.js';
import { RingBumpAllocator } from './bump-allocator.js';

async function mainSpeed(): Promise<void> {
  const ops = Number(process.argv[2] ?? 2_000_000);
  const runs = Number(process.argv[3] ?? 5);
  const arenaMiB = Number(process.argv[4] ?? 64);
  if (!Number.isInteger(ops) || ops < 1 || !Number.isInteger(runs) || runs < 1 || !Number.isInteger(arenaMiB) || arenaMiB < 1 || arenaMiB > 512) {
    throw new Error('usage: engine-speed [ops ≥ 1] [runs ≥ 1] [arenaMiB 1 … 512]');
  }
  const t0 = performance.now();
  const trace = await prepareReplay(workloadSource(churn, { seed: DEFAULT_SEED, ops }));
  const decodeMs = performance.now() - t0;
  const rates: number[] = [];
  for (let r = 0; r < runs; r++) {
    const f = await runReplay(trace, (space) => new RingBumpAllocator(space, arenaMiB * 2 ** 20), { series: false, samples: 'end', space: { size: 2 ** 30 } });
    rates.push(f.replayed / (f.ns / 1e9));
  }
  const m = median(rates);
  console.log(`churn, ${ops} events (generated and mapped in ${decodeMs.toFixed(0)} ms), ring-bump allocator (${arenaMiB} MiB ring), ${runs} runs`);
  console.log(`events per second: median ${(m / 1e6).toFixed(2)} M (runs: ${rates.map((x) => (x / 1e6).toFixed(2)).join(', ')} M); ${(1e9 / m).toFixed(1)} ns per event`);
  console.log(`target ≥ 5 M events/s: ${m >= 5e6 ? 'met' : 'NOT met'}`);
}

mainSpeed().catch((e) => {
  console.error(e);
  process.exit(1);
});
