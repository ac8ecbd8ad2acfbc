/*
 * Seeded churn loop straight on the allocator (no replay engine): BRIEF §8's churn — 2,000,000
 * operations, the first 10,000 allocate, then allocate with probability 0.5 + (10,000 − live) /
 * 20,000, else free a uniformly chosen live block; sizes 90% 8–100 B, 9% 101–4,096 B, 1%
 * 4,097–262,144 B; the first byte of each block written. The operation list is made once
 * (typed arrays), so the timed loop is malloc/free and one store. Variants run interleaved;
 * medians of --runs runs (default 5), ns per operation. With --native, churn-native.c (built
 * with cc -O2 into a temporary directory) replays the same operations with the C library's
 * malloc (glibc here) in each round, and every figure gets its ratio to glibc's.
 * A figure, not a test.
 *
 *   npx tsx packages/bump-freestack/scripts/churn-loop.ts [--runs N] [--ops N] [--native]
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createAddressSpace } from '@heaplab/core';
import { createBumpFreestackAllocator, type BumpFreestackOptions } from '../src/index.js';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '5' }, ops: { type: 'string', default: '2000000' }, native: { type: 'boolean', default: false } } });
const RUNS = Number(values.runs);
const OPS = Number(values.ops);

function xorshift(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    return s / 4294967296;
  };
}

/** ops: size ≥ 0 = malloc of that size into the next slot; −1 − k = free the block in live slot k (swap-remove). */
function makeOps(seed: number): Int32Array {
  const r = xorshift(seed);
  const ops = new Int32Array(OPS);
  let live = 0;
  for (let i = 0; i < OPS; i++) {
    const alloc = i < 10_000 || live === 0 || r() < 0.5 + (10_000 - live) / 20_000;
    if (alloc) {
      const b = r();
      ops[i] = b < 0.9 ? 8 + Math.floor(r() * 93) : b < 0.99 ? 101 + Math.floor(r() * 3996) : 4097 + Math.floor(r() * 258_048);
      live++;
    } else {
      ops[i] = -1 - Math.floor(r() * live);
      live--;
    }
  }
  return ops;
}

const variants: [string, Partial<BumpFreestackOptions>, 'array' | 'shared'][] = [
  ['defaults, shared', {}, 'shared'],
  ['defaults, array', {}, 'array'],
  ['fixed 128 KiB mmap threshold', { dynamicThreshold: false }, 'shared'],
  ['no local caches', { cacheBlocks: 0 }, 'shared'],
  ['fifo', { fifo: true }, 'shared'],
];

const ops = makeOps(1);
const times: number[][] = variants.map(() => []);
const native: number[] = [];
let nativeRun: (() => number) | null = null;
let tmp = '';
if (values.native) {
  tmp = mkdtempSync(join(tmpdir(), 'bfs-churn-'));
  const exe = join(tmp, 'churn-native');
  execFileSync('cc', ['-O2', '-o', exe, fileURLToPath(new URL('./churn-native.c', import.meta.url))]);
  const file = join(tmp, 'ops.bin');
  writeFileSync(file, new Uint8Array(ops.buffer));
  nativeRun = () => Number(execFileSync(exe, [file], { encoding: 'utf8' }));
}
for (let run = 0; run < RUNS; run++) {
  if (nativeRun) native.push(nativeRun());
  variants.forEach(([, o, backing], v) => {
    const space = createAddressSpace({ size: 2 ** 32, backing });
    const a = createBumpFreestackAllocator(space, o);
    const u8 = space.u8;
    const slots = new Float64Array(20_000 + 10);
    let n = 0;
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < ops.length; i++) {
      const op = ops[i]!;
      if (op >= 0) {
        const p = a.malloc(op);
        u8[p] = 1;
        slots[n++] = p;
      } else {
        const k = -1 - op;
        a.free(slots[k]!);
        slots[k] = slots[--n]!;
      }
    }
    times[v]!.push(Number(process.hrtime.bigint() - t0) / ops.length);
  });
}
const median = (xs: number[]): number => [...xs].sort((x, y) => x - y)[xs.length >> 1]!;
const base = median(times[0]!);
if (tmp) rmSync(tmp, { recursive: true });
const glibc = native.length > 0 ? median(native) : 0;
console.log(`churn loop, ${OPS} operations, medians of ${RUNS} interleaved runs (node ${process.version})`);
variants.forEach(([name], v) => {
  const m = median(times[v]!);
  console.log(`  ${name.padEnd(34)} ${m.toFixed(1).padStart(6)} ns/op   ×${(m / base).toFixed(2)}${glibc ? `   ${(m / glibc).toFixed(2)}× glibc` : ''}`);
});
if (glibc) console.log(`  ${'glibc malloc (churn-native.c, -O2)'.padEnd(34)} ${glibc.toFixed(1).padStart(6)} ns/op`);
