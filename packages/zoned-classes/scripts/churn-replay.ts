/*
 * Replays the official churn workload (bench's generator, core's replay engine, speed touch)
 * against zoned-classes alone — no native driver, no other allocator — so it runs under
 * `node --cpu-prof` and shows only this allocator and the engine. Each round replays every
 * preset asked for and, as the same-run reference, the engine's floor (bench's ring-bump
 * allocator: a few additions per malloc, free does nothing). Rounds are interleaved; the line per
 * run gives the median ns per event (the engine's clock), the median CPU time per event of the
 * whole run (user + system, samples included) and the median host page faults of a run (first
 * touches of the space's ArrayBuffer, costly on a sandboxed host).
 *
 * `--compare DIR` also runs another build of this package (a directory holding its compiled
 * index.js, e.g. an older commit's src built with tsc) in the same rounds: a before/after under
 * the same load. `--quiet-samples` samples the space's figures only at the end, so every page the
 * run touches first is touched inside the timed loop (the CLI's samples every 4,096 events read
 * the committed pages outside it) and a CPU profile shows the loop alone. Each run is preceded by
 * a full GC when node runs with --expose-gc, so runs do not inherit the previous space's pages.
 *
 * Runs this package's dist (what the CLI runs), so build first: `npx tsc -p
 * packages/zoned-classes/tsconfig.json`. It also imports bench/dist (bench built), a script-only
 * dependency: the package itself never imports bench.
 *
 * Usage (from the repository root):
 *   node --expose-gc --import=tsx packages/zoned-classes/scripts/churn-replay.ts [--ops N]
 *        [--repeat N] [--preset default,light] [--no-floor] [--quiet-samples] [--compare DIR]
 */

import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
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
const COMPARE = arg('--compare', '');
/** `--quiet-samples`: sample the space's figures only at the end, so a CPU profile shows the timed loop. */
const SAMPLING = process.argv.includes('--quiet-samples') ? { sampleEvery: OPS + 1, peakGrowth: 1e9 } : {};
if (!Number.isInteger(OPS) || OPS < 1 || !Number.isInteger(REPEAT) || REPEAT < 1) throw new Error('usage: churn-replay [--ops N] [--repeat N] [--preset default,light] [--no-floor] [--quiet-samples] [--compare DIR]');
for (const p of PRESETS) if (p !== 'default' && p !== 'light') throw new Error(`--preset: default or light, got ${p}`);

type Factory = (space: AddressSpace) => Allocator;
type Create = typeof createZonedAllocator;
const other: Create | null = COMPARE === '' ? null : ((await import(pathToFileURL(resolve(COMPARE, 'index.js')).href)) as { createZonedAllocator: Create }).createZonedAllocator;
const runs = new Map<string, Factory>();
if (FLOOR) runs.set('ring-bump (floor)', (space) => new RingBumpAllocator(space) as Allocator);
for (const p of PRESETS) {
  const preset = p as 'default' | 'light';
  runs.set(p, (space) => createZonedAllocator(space, { preset }));
  if (other) runs.set(`${p} (--compare)`, (space) => other(space, { preset }) as unknown as Allocator);
}

const gc = (globalThis as { gc?: () => void }).gc;
const trace = await prepareReplay(workloadSource(churn, { seed: DEFAULT_SEED, ops: OPS }));
const wall = new Map<string, number[]>([...runs.keys()].map((k) => [k, []]));
const cpu = new Map<string, number[]>([...runs.keys()].map((k) => [k, []]));
const faults = new Map<string, number[]>([...runs.keys()].map((k) => [k, []]));
for (let r = 0; r < REPEAT; r++) {
  for (const [name, factory] of runs) {
    gc?.();
    const c0 = process.cpuUsage();
    const f0 = process.resourceUsage().minorPageFault;
    const f = await runReplay(trace, factory, { series: false, space: { size: 2 ** 32 }, ...SAMPLING });
    const c = process.cpuUsage(c0);
    faults.get(name)!.push(process.resourceUsage().minorPageFault - f0);
    wall.get(name)!.push(f.ns / f.replayed);
    cpu.get(name)!.push(((c.user + c.system) * 1000) / f.replayed);
  }
}
console.log(`churn(seed=${DEFAULT_SEED}, ops=${OPS}), speed touch, ${REPEAT} interleaved rounds${gc ? ', full GC before each run' : ''}${'sampleEvery' in SAMPLING ? ', figures sampled at the end only' : ''}; medians`);
const floor = FLOOR ? median(wall.get('ring-bump (floor)')!) : NaN;
for (const [name, ts] of wall) {
  const m = median(ts);
  const extra = FLOOR && !name.startsWith('ring') ? `, ${(m - floor).toFixed(0)} above the floor` : '';
  console.log(`${name.padEnd(20)} ${m.toFixed(0).padStart(6)} ns/event (runs: ${ts.map((t) => t.toFixed(0)).join(', ')}${extra}); cpu ${median(cpu.get(name)!).toFixed(0)} ns/event; ${median(faults.get(name)!)} host page faults`);
}
