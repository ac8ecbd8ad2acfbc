/*
 * A churn-like timing loop of our own — NOT the official churn workload of bench/ (that one is
 * replayed by `heaplab replay --workload churn`). It follows BRIEF §8's recipe: the first 10,000
 * steps allocate, then each step allocates with probability 0.5 + (10,000 − live) / 20,000 and
 * otherwise frees a uniformly chosen live block; sizes uniform in bands 90 % 8–100 B, 9 %
 * 101–4,096 B, 1 % 4,097–262,144 B; seeded (mulberry32), so every policy sees the same operations.
 *
 * Speed runs write the first and last byte of each block; footprint runs (`--footprint`) also
 * write one byte in every page between, and sample space.stats() every 4,096 events to get
 * peak resident (used) over peak live: M4.
 *
 * Usage: node --import=tsx scripts/churn-loop.ts [--ops N] [--repeat N] [--footprint] [--policy P,…]
 *        [--tcache N] [--release BYTES]   (options of the allocator; defaults otherwise)
 * Prints one line per policy: median ns per op over the repeats, and M4 with --footprint.
 */

import { createAddressSpace } from '@heaplab/core';
import { createDlmallocAllocator, type PlacementPolicy } from '../src/index.js';

function arg(name: string, def: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1]! : def;
}
const OPS = Number(arg('--ops', '2000000'));
const REPEAT = Number(arg('--repeat', '5'));
const FOOTPRINT = process.argv.includes('--footprint');
const POLICIES = arg('--policy', 'best-fit,first-fit,next-fit').split(',') as PlacementPolicy[];
const RELEASE = process.argv.includes('--release') ? Number(arg('--release', '')) : undefined;
const TCACHE = process.argv.includes('--tcache') ? Number(arg('--tcache', '')) : undefined;

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The operations, drawn once: size > 0 allocates, size < 0 frees live slot −size − 1. */
function makeOps(n: number, seed: number): Float64Array {
  const rnd = mulberry32(seed);
  const ops = new Float64Array(n);
  let live = 0;
  for (let k = 0; k < n; k++) {
    if (k < 10_000 || rnd() < 0.5 + (10_000 - live) / 20_000) {
      const u = rnd();
      const [lo, hi] = u < 0.9 ? [8, 100] : u < 0.99 ? [101, 4096] : [4097, 262_144];
      ops[k] = lo + Math.floor(rnd() * (hi - lo + 1));
      live++;
    } else {
      ops[k] = -1 - Math.floor(rnd() * live);
      live--;
    }
  }
  return ops;
}

interface Run { nsPerOp: number; m4: number; peakLive: number; peakUsed: number; syscalls: string }

function run(policy: PlacementPolicy, ops: Float64Array): Run {
  const space = createAddressSpace({ size: 2 ** 32 });
  const a = createDlmallocAllocator(space, { policy, releaseThreshold: RELEASE, tcache: TCACHE });
  const u8 = space.u8;
  const ps = space.pageSize;
  const ptr = new Float64Array(ops.length);
  const size = new Float64Array(ops.length);
  let live = 0;
  let liveBytes = 0;
  let peakLive = 0;
  let peakUsed = 0;
  const t0 = process.hrtime.bigint();
  for (let k = 0; k < ops.length; k++) {
    const o = ops[k]!;
    if (o > 0) {
      const p = a.malloc(o);
      u8[p] = 1;
      u8[p + o - 1] = 1;
      if (FOOTPRINT) for (let q = p + ps; q < p + o; q += ps) u8[q] = 1;
      ptr[live] = p;
      size[live++] = o;
      liveBytes += o;
    } else {
      const i = -o - 1;
      a.free(ptr[i]!);
      liveBytes -= size[i]!;
      ptr[i] = ptr[--live]!;
      size[i] = size[live]!;
    }
    if (FOOTPRINT) {
      if (liveBytes > peakLive) peakLive = liveBytes;
      if ((k & 4095) === 0) peakUsed = Math.max(peakUsed, space.stats().resident);
    }
  }
  const ns = Number(process.hrtime.bigint() - t0) / ops.length;
  if (FOOTPRINT) peakUsed = Math.max(peakUsed, space.stats().peakResident);
  a.check();
  const c = space.stats().calls;
  return { nsPerOp: ns, m4: FOOTPRINT ? peakUsed / peakLive : NaN, peakLive, peakUsed, syscalls: `${c.brk}/${c.mmap}/${c.munmap}/${c.madvise}` };
}

const ops = makeOps(OPS, 1);
const results = new Map<PlacementPolicy, Run[]>(POLICIES.map((p) => [p, []]));
for (let r = 0; r < REPEAT; r++) for (const p of POLICIES) results.get(p)!.push(run(p, ops));
const median = (xs: number[]): number => [...xs].sort((x, y) => x - y)[xs.length >> 1]!;
console.log(`own churn-like loop (not the official workload): ${OPS} ops, ${REPEAT} interleaved repeats, ${FOOTPRINT ? 'footprint' : 'speed'} touch`);
for (const [p, rs] of results) {
  const line = `${p.padEnd(10)} ${median(rs.map((x) => x.nsPerOp)).toFixed(1).padStart(7)} ns/op`;
  const fp = `   peak used ${(rs[0]!.peakUsed / 2 ** 20).toFixed(2)} MiB / peak live ${(rs[0]!.peakLive / 2 ** 20).toFixed(2)} MiB = M4 ${rs[0]!.m4.toFixed(3)}`;
  console.log(`${line}${FOOTPRINT ? fp : ''}   brk/mmap/munmap/madvise ${rs[0]!.syscalls}`);
}
