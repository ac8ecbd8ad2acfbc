/*
 * Raw access cost: nanoseconds per `space.raw` access in a flat 4 GiB space (FlatMemory) and in
 * a paged 2^47 space (PagedMemory), side by side in one process, interleaved rounds, medians.
 *
 * Patterns, each over the same 4 MiB mapping (1024 pages) and the same address sequence:
 *   seq-u32     setU32 then u32 of consecutive words (the TLB hits 1023 times in 1024)
 *   rand-u32    u32 of words at random pages (a TLB miss nearly every access: the table walk)
 *   rand-set    setU32 at random pages (a miss and, in the paged space, the write TLB)
 *   f64-pair    f64 and setF64 of a counter pair in one page (an allocator's header update)
 * Every page is written once before timing, so no access takes a frame while timed.
 *
 * Time is the process's CPU time (process.cpuUsage), less disturbed than wall time on a shared
 * machine; each figure is the median of the rounds.
 *
 * Run: cd packages/core && node --import tsx scripts/raw-access-cost.ts [rounds=7]
 * It prints one line per pattern: flat ns, paged ns, and their ratio.
 */

import { createAddressSpace, type RawMemory } from '../src/index.js';

const MAP = 4 * 2 ** 20;
const N = 1 << 20;
const rounds = Number(process.argv[2] ?? 7);

function lcg(seed: number): () => number {
  let x = seed >>> 0;
  return () => (x = (Math.imul(x, 1664525) + 1013904223) >>> 0);
}

function setup(size: number): { raw: RawMemory; base: number } {
  const space = createAddressSpace({ size });
  const base = space.mmap(0, MAP, 3);
  for (let p = base; p < base + MAP; p += 4096) space.raw.setU32(p, 1);
  return { raw: space.raw, base };
}

const next = lcg(42);
const randomOffsets = new Float64Array(N);
for (let i = 0; i < N; i++) randomOffsets[i] = (next() % (MAP / 4)) * 4;

type Pattern = (raw: RawMemory, base: number, offsets: Float64Array) => number;
/**
 * Each pattern's body, compiled once per kind of space (new Function), so each copy's call sites
 * see one RawMemory class, as an allocator over one space does: a shared copy would see both and
 * measure a polymorphic call instead.
 */
const bodies: Record<string, string> = {
  'seq-u32': `let s = 0;
    for (let i = 0; i < ${N}; i++) { const a = base + ((i * 4) % ${MAP}); raw.setU32(a, i); s += raw.u32(a); }
    return s;`,
  'rand-u32': `let s = 0;
    for (let i = 0; i < ${N}; i++) s += raw.u32(base + offsets[i]);
    return s;`,
  'rand-set': `for (let i = 0; i < ${N}; i++) raw.setU32(base + offsets[i], i);
    return 0;`,
  'f64-pair': `const a = base + 4096 * 7 + 64;
    for (let i = 0; i < ${N}; i++) { raw.setF64(a, raw.f64(a) + 1); raw.setF64(a + 8, raw.f64(a + 8) + 2); }
    return raw.f64(a);`,
};
const compile = (body: string): Pattern => new Function('raw', 'base', 'offsets', body) as Pattern;
const accessesPerIteration: Record<string, number> = { 'seq-u32': 2, 'rand-u32': 1, 'rand-set': 1, 'f64-pair': 4 };

const flat = setup(4 * 2 ** 30);
const paged = setup(2 ** 47);
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
let sink = 0;
console.log(`raw access cost, ${rounds} interleaved rounds of ${N} iterations, median CPU ns per access`);
console.log('pattern      flat 4 GiB   paged 2^47   paged/flat');
for (const [name, body] of Object.entries(bodies)) {
  const times: Record<'flat' | 'paged', number[]> = { flat: [], paged: [] };
  const runs = { flat: compile(body), paged: compile(body) };
  for (let r = 0; r < rounds; r++) {
    for (const [kind, s] of [['flat', flat], ['paged', paged]] as const) {
      const c0 = process.cpuUsage();
      sink += runs[kind](s.raw, s.base, randomOffsets);
      const c = process.cpuUsage(c0);
      times[kind].push(((c.user + c.system) * 1000) / (N * accessesPerIteration[name]!));
    }
  }
  const f = median(times.flat);
  const p = median(times.paged);
  console.log(`${name.padEnd(12)} ${f.toFixed(2).padStart(10)} ${p.toFixed(2).padStart(12)} ${(p / f).toFixed(2).padStart(12)}`);
}
if (sink === -1) console.log(sink);
