/*
 * Replays the official churn workload (bench's generator, core's replay engine, speed touch)
 * against zoned-classes alone — no native driver, no other allocator — so it runs under
 * `node --cpu-prof` and shows only this allocator and the engine. Each round replays every
 * preset asked for and, as the same-run reference, the engine's floor (bench's ring-bump
 * allocator: a few additions per malloc, free does nothing). Rounds are interleaved; the line per
 * preset gives the median ns per event and its excess over the floor (the allocator's own share).
 *
 * Runs this package's dist (what the CLI runs), so build first: `npx tsc -p
 * packages/zoned-classes/tsconfig.json`. It also imports bench/dist (bench built), a script-only
 * dependency: the package itself never imports bench.
 *
 * Usage (from the repository root):
 *   node --import=tsx packages/zoned-classes/scripts/churn-replay.ts [--ops N] [--repeat N]
 *        [--preset default,light] [--no-floor] [--quiet-samples]
 */

import { median, prepareReplay, runReplay, type AddressSpace, type Allocator } from '@heaplab/core';
import { createZonedAllocator } from '../dist/index.js';
// @ts-ignore bench has no type path from this package; the script only runs, it is not type-checked against bench.
import { churn, workloadSource, DEFAULT_SEED } from '../../../bench/dist/workloads/index.js';
// @ts-ignore see above
import { RingBumpAllocator } from '../../../bench/dist/metrics/bump-allocator.js';

function arg(name: string, def: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1]! : def;
}
const OPS = Number(arg('--ops', '2000000'));
const REPEAT = Number(arg('--repeat', '3'));
const PRESETS = arg('--preset', 'default,light').split(',');
const FLOOR = !process.argv.includes('--no-floor');
/** `--quiet-samples`: sample the space's figures only at the end, so a CPU profile shows the timed loop. */
const SAMPLING = process.argv.includes('--quiet-samples') ? { sampleEvery: OPS + 1, peakGrowth: 1e9 } : {};
if (!Number.isInteger(OPS) || OPS < 1 || !Number.isInteger(REPEAT) || REPEAT < 1) throw new Error('usage: churn-replay [--ops N] [--repeat N] [--preset default,light] [--no-floor]');
for (const p of PRESETS) if (p !== 'default' && p !== 'light') throw new Error(`--preset: default or light, got ${p}`);

type Factory = (space: AddressSpace) => Allocator;
const runs = new Map<string, Factory>();
if (FLOOR) runs.set('ring-bump (floor)', (space) => new RingBumpAllocator(space) as Allocator);
for (const p of PRESETS) runs.set(p, (space) => createZonedAllocator(space, { preset: p as 'default' | 'light' }));

const trace = await prepareReplay(workloadSource(churn, { seed: DEFAULT_SEED, ops: OPS }));
const times = new Map<string, number[]>([...runs.keys()].map((k) => [k, []]));
for (let r = 0; r < REPEAT; r++) {
  for (const [name, factory] of runs) {
    const f = await runReplay(trace, factory, { series: false, space: { size: 2 ** 32 }, ...SAMPLING });
    times.get(name)!.push(f.ns / f.replayed);
  }
}
console.log(`churn(seed=${DEFAULT_SEED}, ops=${OPS}), speed touch, ${REPEAT} interleaved rounds; median ns per event`);
const floor = FLOOR ? median(times.get('ring-bump (floor)')!) : NaN;
for (const [name, ts] of times) {
  const m = median(ts);
  const extra = FLOOR && !name.startsWith('ring') ? `   ${(m - floor).toFixed(1)} above the floor` : '';
  console.log(`${name.padEnd(18)} ${m.toFixed(1).padStart(7)} ns/event (runs: ${ts.map((t) => t.toFixed(1)).join(', ')})${extra}`);
}
