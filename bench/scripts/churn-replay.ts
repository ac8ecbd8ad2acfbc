/*
 * Replays the official churn workload (bench's generator, core's replay engine, speed touch)
 * against the allocators named — no native driver — so it can run under `node --cpu-prof` and
 * show only the allocators and the engine. Each round replays every run asked for and, as the
 * same-run reference, the engine's floor: bench's ring-bump allocator (a few additions per
 * malloc, free does nothing) over a 4 MiB ring, so it writes warm memory. Rounds are
 * interleaved. The line per run gives the median ns per event (the engine's clock) and its
 * excess over the floor, the median CPU time per event of the whole run (user + system, samples
 * included) and the median minor page faults of a run's timed loop (RunFigures.minorFaults: first touches of a fresh space's pages:
 * costly on a sandboxed host).
 *
 * A run is `NAME[:key=value,…]` — a registered allocator (configured parameters, no wrappers)
 * with options over them; values are JSON when they parse as JSON, strings otherwise — or
 * `NAME@MODULE[:…]`, the same allocator made by another build: MODULE exports the package's
 * `create…Allocator(space, options)` (e.g. an older commit's src extracted beside this one), for
 * a before/after measured under the same load:
 *
 *   mkdir -p /tmp/before && git archive 2acf88d packages/dlmalloc-style/src | tar -x --strip-components=3 -C /tmp/before
 *   node --import=tsx bench/scripts/churn-replay.ts dlmalloc-style@packages/dlmalloc-style/src/index.ts dlmalloc-style@/tmp/before/index.ts
 *
 * (compare two builds made by the same compiler: tsc's and tsx's output can differ in speed by
 * 5–10 %). Runs sample the space's figures only at the end, as the CLI's timed runs do, so a CPU
 * profile shows the loop alone; `--periodic-samples` samples every 4,096 events and at peaks, as
 * footprint runs (and timed runs before 2026-12-01) do. With node's --expose-gc each run starts
 * after a full GC, so runs do not inherit a dead space's pages.
 *
 * Usage (from the repository root, bench built):
 *   node --expose-gc --import=tsx bench/scripts/churn-replay.ts RUN… [--ops N] [--repeat N]
 *        [--no-floor] [--periodic-samples]
 * e.g. `… churn-replay.ts dlmalloc-style dlmalloc-style:policy=first-fit zoned-classes:preset=light`
 */

import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createAddressSpace, median, prepareReplay, runReplay, type AddressSpace, type Allocator } from '@heaplab/core';
import { allocatorFactory } from '../src/allocators.js';
import { RingBumpAllocator } from '../src/metrics/bump-allocator.js';
import { churn, workloadSource, DEFAULT_SEED } from '../src/workloads/index.js';

const USAGE = 'usage: churn-replay.ts RUN… [--ops N] [--repeat N] [--no-floor] [--periodic-samples]; RUN = NAME[@MODULE][:key=value,…]';
type Factory = (space: AddressSpace) => Allocator;

function fail(message: string): never {
  console.error(`churn-replay: ${message}\n${USAGE}`);
  process.exit(2);
}

function count(flag: string, def: number, args: string[]): number {
  const i = args.indexOf(flag);
  if (i < 0) return def;
  const v = Number(args[i + 1]);
  if (!Number.isInteger(v) || v < 1) fail(`${flag} takes a positive integer, got ${args[i + 1] ?? 'nothing'}`);
  args.splice(i, 2);
  return v;
}

function option(text: string, run: string): [string, unknown] {
  const eq = text.indexOf('=');
  if (eq <= 0) fail(`"${text}" in run "${run}" is not key=value`);
  const raw = text.slice(eq + 1);
  let value: unknown = raw;
  try {
    value = JSON.parse(raw);
  } catch {
    // a plain string (policy=first-fit)
  }
  return [text.slice(0, eq), value];
}

/** The factory of one RUN argument. */
async function factoryOf(run: string): Promise<Factory> {
  const colon = run.indexOf(':');
  const head = colon < 0 ? run : run.slice(0, colon);
  const options = colon < 0 ? {} : Object.fromEntries(run.slice(colon + 1).split(',').filter(Boolean).map((o) => option(o, run)));
  const at = head.indexOf('@');
  if (at < 0) {
    const make = allocatorFactory(head);
    return (space) => make(space, options);
  }
  const module = (await import(pathToFileURL(resolve(head.slice(at + 1))).href)) as Record<string, unknown>;
  const creators = Object.entries(module).filter(([k, v]) => /^create\w*Allocator$/.test(k) && typeof v === 'function');
  if (creators.length !== 1) fail(`${head.slice(at + 1)} should export one create…Allocator function, found: ${creators.map(([k]) => k).join(', ') || 'none'}`);
  const create = creators[0]![1] as (space: AddressSpace, o: object) => Allocator;
  return (space) => create(space, options);
}

const args = process.argv.slice(2);
const OPS = count('--ops', 2_000_000, args);
const REPEAT = count('--repeat', 3, args);
const FLOOR = !args.includes('--no-floor');
const PERIODIC = args.includes('--periodic-samples');
const names = args.filter((a) => a !== '--no-floor' && a !== '--periodic-samples');
if (names.some((a) => a.startsWith('--'))) fail(`unknown option ${names.find((a) => a.startsWith('--'))}`);
if (names.length === 0) fail('name at least one allocator');

const runs = new Map<string, Factory>();
// A 4 MiB ring (the largest churn block is 256 KiB): after its first lap the engine writes warm
// memory, so the floor is the engine's own cost, not first touches of a 64 MiB arena.
if (FLOOR) runs.set('ring-bump (floor)', (space) => new RingBumpAllocator(space, 4 * 2 ** 20));
for (const name of names) {
  if (runs.has(name)) fail(`run "${name}" given twice`);
  try {
    const factory = await factoryOf(name);
    factory(createAddressSpace({ size: 2 ** 26 })); // bad names and options fail here, before any replay
    runs.set(name, factory);
  } catch (e) {
    fail(`run "${name}": ${(e as Error).message}`);
  }
}
const sampling = { samples: PERIODIC ? 'periodic' : 'end' } as const;
const gc = (globalThis as { gc?: () => void }).gc;
const trace = await prepareReplay(workloadSource(churn, { seed: DEFAULT_SEED, ops: OPS }));
const wall = new Map<string, number[]>([...runs.keys()].map((k) => [k, []]));
const cpu = new Map<string, number[]>([...runs.keys()].map((k) => [k, []]));
const faults = new Map<string, number[]>([...runs.keys()].map((k) => [k, []]));
for (let r = 0; r < REPEAT; r++) {
  for (const [name, factory] of runs) {
    gc?.();
    const c0 = process.cpuUsage();
    const f = await runReplay(trace, factory, { series: false, space: { size: 2 ** 32 }, ...sampling });
    const c = process.cpuUsage(c0);
    faults.get(name)!.push(f.minorFaults);
    wall.get(name)!.push(f.ns / f.replayed);
    cpu.get(name)!.push(((c.user + c.system) * 1000) / f.replayed);
  }
}
const how = [`${REPEAT} interleaved rounds`, gc ? 'full GC before each run' : '', PERIODIC ? 'figures sampled every 4,096 events' : 'figures sampled at the end only'].filter(Boolean).join(', ');
console.log(`churn(seed=${DEFAULT_SEED}, ops=${OPS}), speed touch, ${how}; medians`);
const floor = FLOOR ? median(wall.get('ring-bump (floor)')!) : NaN;
const width = Math.max(...[...runs.keys()].map((k) => k.length));
for (const [name, ts] of wall) {
  const m = median(ts);
  const extra = FLOOR && !name.startsWith('ring-bump') ? `, ${(m - floor).toFixed(1)} above the floor` : '';
  console.log(
    `${name.padEnd(width)} ${m.toFixed(1).padStart(7)} ns/event (runs: ${ts.map((t) => t.toFixed(1)).join(', ')}${extra}); ` +
      `cpu ${median(cpu.get(name)!).toFixed(0)} ns/event; ${median(faults.get(name)!)} page faults in the timed loop`,
  );
}
