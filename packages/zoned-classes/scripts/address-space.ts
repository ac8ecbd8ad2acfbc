/*
 * Felker's point, measured: zoned size classes need address space far larger than the memory
 * they use. In a 32-bit-sized space (4 GiB, the default heaplab space):
 *   A. reserved (mapped) vs committed vs resident bytes: fresh, after one block of each class
 *      (Felker: "at least 50 pages already"), and after a churn-like loop;
 *   B. where the design runs out: one class filled until malloc returns 0 (live bytes at that
 *      point vs the 4 GiB space), for several classes and both presets;
 *   C. a mixed run (churn-like sizes, no frees) until the first failed request.
 * Run: npx tsx scripts/address-space.ts [spaceMiB=4096]
 */
import { createAddressSpace } from '@heaplab/core';
import { createZonedAllocator, type PresetName } from '../src/index.js';

/*
 * Churn-like steps (seeded xorshift32): the first 10,000 allocate; then each allocates with
 * probability 0.5 + (10,000 − live) / 20,000, else frees a uniformly chosen live block; sizes
 * uniform in bands 90% 8–100 B, 9% 101–4,096 B, 1% 4,097–262,144 B. Returns the failed requests.
 */
interface ChurnTarget {
  malloc(size: number): number;
  free(ptr: number): void;
  /** Writes the first and last byte of a block. */
  touch(ptr: number, size: number): void;
}

interface ChurnProbe {
  /** Called every `every` steps with the live bytes (sum of requested sizes). */
  every: number;
  sample(step: number, liveBytes: number): void;
}

function runChurn(t: ChurnTarget, ops: number, seed: number, probe?: ChurnProbe): number {
  let x = seed >>> 0 || 1;
  const rnd = (): number => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 4294967296;
  };
  const ptrs = new Float64Array(1 << 16);
  const sizes = new Float64Array(1 << 16);
  let live = 0;
  let liveBytes = 0;
  let failures = 0;
  for (let step = 0; step < ops; step++) {
    if (step < 10000 || rnd() < 0.5 + (10000 - live) / 20000) {
      const u = rnd();
      const lo = u < 0.9 ? 8 : u < 0.99 ? 101 : 4097;
      const hi = u < 0.9 ? 100 : u < 0.99 ? 4096 : 262144;
      const size = lo + Math.floor(rnd() * (hi - lo + 1));
      const p = t.malloc(size);
      if (p === 0) {
        failures++;
        continue;
      }
      t.touch(p, size);
      ptrs[live] = p;
      sizes[live++] = size;
      liveBytes += size;
    } else if (live > 0) {
      const i = Math.floor(rnd() * live);
      t.free(ptrs[i]!);
      liveBytes -= sizes[i]!;
      live--;
      ptrs[i] = ptrs[live]!;
      sizes[i] = sizes[live]!;
    }
    if (probe && step % probe.every === 0) probe.sample(step, liveBytes);
  }
  return failures;
}

const spaceBytes = Number(process.argv[2] ?? 4096) * 2 ** 20;
const MiB = (b: number): string => `${(b / 2 ** 20).toFixed(b < 2 ** 20 ? 3 : 1)} MiB`;

console.log(`## A. Reserved vs resident (${MiB(spaceBytes)} space, default preset)\n`);
console.log('| moment | live | mapped (reserved) | committed (writable) | resident |');
console.log('|---|---:|---:|---:|---:|');
{
  const space = createAddressSpace({ size: spaceBytes });
  const a = createZonedAllocator(space);
  const row = (what: string, live: number): void => {
    const s = space.stats();
    console.log(`| ${what} | ${MiB(live)} | ${MiB(s.mapped)} | ${MiB(s.committed)} | ${MiB(s.resident)} (${s.resident / space.pageSize} pages) |`);
  };
  row('fresh allocator', 0);
  let live = 0;
  for (const c of a.classes) {
    if (c.index === 0) continue;
    a.malloc(c.usable);
    live += c.usable;
  }
  row(`one block of each of the ${a.classes.length - 1} classes`, live);
  let peak = 0;
  const u8 = space.u8;
  runChurn({ malloc: (n) => a.malloc(n), free: (p) => a.free(p), touch: (p, n) => { for (let q = p; q < p + n; q += 4096) u8[q] = 1; u8[p + n - 1] = 1; } }, 300_000, 1, { every: 1000, sample: (_s, l) => { if (l > peak) peak = l; } });
  const s = space.stats();
  console.log(`| after 300,000 churn-like steps (every page of each block written) | peak ${MiB(peak)} | ${MiB(s.mapped)} | ${MiB(s.committed)} | ${MiB(s.resident)} |`);
}

console.log(`\n## B. One class filled until malloc returns 0 (${MiB(spaceBytes)} space)\n`);
console.log('| preset | request | slot | blocks | live at failure | zone | live / zone | live / space |');
console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
for (const preset of ['default', 'light'] as PresetName[]) {
  for (const size of [8, 56, 1016, 16376, 131064]) {
    const space = createAddressSpace({ size: spaceBytes });
    const a = createZonedAllocator(space, { preset });
    let n = 0;
    while (a.malloc(size) !== 0) n++;
    const live = n * size;
    const slot = size + 8;
    console.log(`| ${preset} | ${size} | ${slot} | ${n} | ${MiB(live)} | ${MiB(a.plan.zoneBytes)} | ${((100 * live) / a.plan.zoneBytes).toFixed(0)}% | ${((100 * live) / spaceBytes).toFixed(2)}% |`);
  }
}

console.log(`\n## C. Churn-like sizes, never freed, until the first failed request (${MiB(spaceBytes)} space)\n`);
console.log('| preset | blocks | live at first failure | failed request | mapped | committed |');
console.log('|---|---:|---:|---:|---:|---:|');
for (const preset of ['default', 'light'] as PresetName[]) {
  const space = createAddressSpace({ size: spaceBytes });
  const a = createZonedAllocator(space, { preset });
  let x = 7;
  const rnd = (): number => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 4294967296;
  };
  let live = 0;
  let n = 0;
  for (;;) {
    const u = rnd();
    const lo = u < 0.9 ? 8 : u < 0.99 ? 101 : 4097;
    const hi = u < 0.9 ? 100 : u < 0.99 ? 4096 : 262144;
    const size = lo + Math.floor(rnd() * (hi - lo + 1));
    const p = a.malloc(size);
    if (p === 0) {
      const s = space.stats();
      console.log(`| ${preset} | ${n} | ${MiB(live)} | ${size} B | ${MiB(s.mapped)} | ${MiB(s.committed)} |`);
      break;
    }
    space.u8[p] = 1;
    live += size;
    n++;
  }
}
