/*
 * Replays the official churn workload (bench's generator, core's replay engine, speed touch)
 * against dlmalloc-style alone — no native driver, no other allocator — so it can run under
 * `node --cpu-prof` and show only this allocator and the engine. Each round replays every
 * policy asked for and, as the same-run reference, the engine's floor: bench's ring-bump
 * allocator (a few additions per malloc, free does nothing). Rounds are interleaved; the line per
 * allocator gives the median ns per event and, for dlmalloc, the median excess over the floor.
 *
 * Runs this package's dist (what the CLI runs), so build first: `npx tsc -p
 * packages/dlmalloc-style/tsconfig.json`. It also imports bench/dist (bench built), a script-only
 * dependency: the package itself never imports bench.
 *
 * Usage (from the repository root):
 *   node --import=tsx packages/dlmalloc-style/scripts/churn-replay.ts [--ops N] [--repeat N]
 *        [--policy best-fit,first-fit,next-fit] [--no-floor] [--tcache N] [--release BYTES]
 *        [--compare PATH] [--src]
 * (--tcache and --release set those options of the allocator; defaults otherwise.)
 * --compare PATH also runs, interleaved in the same rounds and with the same options, the
 * createDlmallocAllocator exported by PATH — another version of this package, e.g. an older
 * commit's src extracted next to this one, for a before/after measured under the same load:
 *   mkdir -p packages/dlmalloc-style/tmp-before && git archive 2acf88d packages/dlmalloc-style/src \
 *     | tar -x --strip-components=3 -C packages/dlmalloc-style/tmp-before
 *   node --import=tsx packages/dlmalloc-style/scripts/churn-replay.ts --src --compare packages/dlmalloc-style/tmp-before/index.ts
 * --src runs this package's src (compiled by tsx) instead of dist: use it with --compare, whose
 * version is compiled by tsx too, since the two compilers' output can differ in speed by 5–10 %.
 */

import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { median, prepareReplay, runReplay, type AddressSpace, type Allocator } from '@heaplab/core';
import { createDlmallocAllocator as fromDist, type PlacementPolicy } from '../dist/index.js';
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
const POLICIES = arg('--policy', 'best-fit').split(',') as PlacementPolicy[];
const FLOOR = !process.argv.includes('--no-floor');
const RELEASE = process.argv.includes('--release') ? Number(arg('--release', '')) : undefined;
const TCACHE = process.argv.includes('--tcache') ? Number(arg('--tcache', '')) : undefined;
const COMPARE = process.argv.includes('--compare') ? arg('--compare', '') : undefined;
type Create = typeof fromDist;
const createDlmallocAllocator: Create = process.argv.includes('--src') ? ((await import('../src/index.js')) as unknown as { createDlmallocAllocator: Create }).createDlmallocAllocator : fromDist;
const other: Create | undefined = COMPARE === undefined ? undefined : ((await import(pathToFileURL(resolve(COMPARE)).href)) as { createDlmallocAllocator: Create }).createDlmallocAllocator;
if (!Number.isInteger(OPS) || OPS < 1 || !Number.isInteger(REPEAT) || REPEAT < 1) throw new Error('usage: churn-replay [--ops N] [--repeat N] [--policy P,…] [--no-floor]');

type Factory = (space: AddressSpace) => Allocator;
const runs = new Map<string, Factory>();
if (FLOOR) runs.set('ring-bump (floor)', (space) => new RingBumpAllocator(space) as Allocator);
for (const p of POLICIES) {
  runs.set(p, (space) => createDlmallocAllocator(space, { policy: p, releaseThreshold: RELEASE, tcache: TCACHE }));
  if (other !== undefined) runs.set(`${p} (compare)`, (space) => other(space, { policy: p, releaseThreshold: RELEASE, tcache: TCACHE }));
}

const trace = await prepareReplay(workloadSource(churn, { seed: DEFAULT_SEED, ops: OPS }));
const times = new Map<string, number[]>([...runs.keys()].map((k) => [k, []]));
for (let r = 0; r < REPEAT; r++) {
  for (const [name, factory] of runs) {
    const f = await runReplay(trace, factory, { series: false, space: { size: 2 ** 32 } });
    times.get(name)!.push(f.ns / f.replayed);
  }
}
console.log(`churn(seed=${DEFAULT_SEED}, ops=${OPS}), speed touch, ${REPEAT} interleaved rounds; median and min ns per event`);
const floor = FLOOR ? median(times.get('ring-bump (floor)')!) : NaN;
for (const [name, ts] of times) {
  const m = median(ts);
  const extra = FLOOR && !name.startsWith('ring') ? `   ${(m - floor).toFixed(1)} above the floor` : '';
  console.log(`${name.padEnd(20)} ${m.toFixed(1).padStart(7)} ns/event, min ${Math.min(...ts).toFixed(1).padStart(7)} (runs: ${ts.map((t) => t.toFixed(1)).join(', ')})${extra}`);
}
