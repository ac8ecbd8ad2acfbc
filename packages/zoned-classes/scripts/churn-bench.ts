/*
 * Times the churn-like loop (churn-loop.ts — our own loop, not the bench workload) with both
 * presets and, in the same run, the same steps in C against glibc's malloc (churn-loop.c),
 * interleaved: rounds × (glibc, default, light). Prints medians in ns per step and the ratios.
 * Then, untimed, one footprint run per preset (every page of each block written, as the brief's
 * footprint runs): peak live bytes (exact), peak resident bytes of the space sampled every 2,000
 * steps, and M4 = peak resident / peak live.
 *
 * Last, one more timed run per preset with the space's system calls wrapped, to show how much of
 * the time is the simulated kernel (mmap, munmap, mprotect: page tables and residency scans).
 *
 * Run: npx tsx scripts/churn-bench.ts [ops=2000000] [rounds=5] [spaceMiB=4096]
 * Not a test: figures for the README, measured on whatever machine runs it.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createAddressSpace } from '@heaplab/core';
import { createZonedAllocator, type PresetName } from '../src/index.js';
import { runChurn } from './churn-loop.js';

const ops = Number(process.argv[2] ?? 2_000_000);
const rounds = Number(process.argv[3] ?? 5);
const spaceBytes = Number(process.argv[4] ?? 4096) * 2 ** 20;
const seed = 1;

const cSource = fileURLToPath(new URL('./churn-loop.c', import.meta.url));
const cBinary = '/tmp/heaplab-zoned-churn-loop';
execFileSync('cc', ['-O2', '-o', cBinary, cSource]);

function glibc(): number {
  return JSON.parse(execFileSync(cBinary, [String(ops), String(seed)], { encoding: 'utf8' })).nsPerStep as number;
}

function zoned(preset: PresetName): number {
  const space = createAddressSpace({ size: spaceBytes });
  const a = createZonedAllocator(space, { preset });
  const u8 = space.u8;
  const t0 = process.hrtime.bigint();
  const failures = runChurn({ malloc: (n) => a.malloc(n), free: (p) => a.free(p), touch: (p, n) => { u8[p] = 1; u8[p + n - 1] = 1; } }, ops, seed);
  const ns = Number(process.hrtime.bigint() - t0) / ops;
  if (failures) console.log(`  (${preset}: ${failures} failed requests)`);
  return ns;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const times: Record<string, number[]> = { glibc: [], default: [], light: [] };
zoned('light'); // warm the JIT once, untimed
for (let r = 0; r < rounds; r++) {
  times.glibc!.push(glibc());
  times.default!.push(zoned('default'));
  times.light!.push(zoned('light'));
}
const g = median(times.glibc!);
console.log(`churn-like loop, ${ops} steps, seed ${seed}, ${spaceBytes / 2 ** 20} MiB space, median of ${rounds} interleaved rounds`);
console.log('| allocator | ns per step | × glibc |');
console.log('|---|---:|---:|');
for (const k of ['glibc', 'default', 'light']) console.log(`| ${k === 'glibc' ? 'glibc malloc (C loop)' : `zoned-classes ${k}`} | ${median(times[k]!).toFixed(1)} | ${(median(times[k]!) / g).toFixed(2)} |`);

console.log('\nfootprint (untimed; resident sampled every 2,000 steps)');
console.log('| preset | peak live | peak resident | peak committed | mapped (reserved) | M4 |');
console.log('|---|---:|---:|---:|---:|---:|');
for (const preset of ['default', 'light'] as PresetName[]) {
  const space = createAddressSpace({ size: spaceBytes });
  const a = createZonedAllocator(space, { preset });
  const u8 = space.u8;
  let peakLive = 0;
  let peakResident = 0;
  runChurn({ malloc: (n) => a.malloc(n), free: (p) => a.free(p), touch: (p, n) => { for (let q = p; q < p + n; q += 4096) u8[q] = 1; u8[p + n - 1] = 1; } }, ops, seed, {
    every: 2000,
    sample: (_step, live) => {
      if (live > peakLive) peakLive = live;
      const r = space.stats().resident;
      if (r > peakResident) peakResident = r;
    },
  });
  const s = space.stats();
  const MiB = (b: number): string => `${(b / 2 ** 20).toFixed(1)} MiB`;
  console.log(`| ${preset} | ${MiB(peakLive)} | ${MiB(peakResident)} | ${MiB(s.peakCommitted)} | ${MiB(s.peakMapped)} | ${(peakResident / peakLive).toFixed(2)} |`);
}

console.log('\ntime inside the space\'s system calls (one instrumented run per preset)');
console.log('| preset | ns per step | of which mmap | munmap | mprotect | calls mmap/munmap/mprotect |');
console.log('|---|---:|---:|---:|---:|---|');
for (const preset of ['default', 'light'] as PresetName[]) {
  const space = createAddressSpace({ size: spaceBytes });
  const a = createZonedAllocator(space, { preset });
  const spent = { mmap: 0, munmap: 0, mprotect: 0 };
  for (const m of ['mmap', 'munmap', 'mprotect'] as const) {
    const f = space[m].bind(space) as (...args: unknown[]) => unknown;
    (space as unknown as Record<string, unknown>)[m] = (...args: unknown[]): unknown => {
      const t = process.hrtime.bigint();
      try {
        return f(...args);
      } finally {
        spent[m] += Number(process.hrtime.bigint() - t);
      }
    };
  }
  const u8 = space.u8;
  const t0 = process.hrtime.bigint();
  runChurn({ malloc: (n) => a.malloc(n), free: (p) => a.free(p), touch: (p, n) => { u8[p] = 1; u8[p + n - 1] = 1; } }, ops, seed);
  const total = Number(process.hrtime.bigint() - t0) / ops;
  const c = space.stats().calls;
  console.log(`| ${preset} | ${total.toFixed(1)} | ${(spent.mmap / ops).toFixed(1)} | ${(spent.munmap / ops).toFixed(1)} | ${(spent.mprotect / ops).toFixed(1)} | ${c.mmap}/${c.munmap}/${c.mprotect} |`);
}
