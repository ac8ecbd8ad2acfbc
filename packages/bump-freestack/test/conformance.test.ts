/*
 * The shared conformance suite (BRIEF §7), single-threaded, over an ArrayBuffer and over a
 * SharedArrayBuffer (where free uses a CAS on the meta word), with the default options, with
 * FIFO reuse, with the caches off, over a WebAssembly.Memory, and with safe-linking (small caches,
 * so blocks cross the mangled stacks often; and FIFO queues). Runs: HEAPLAB_FUZZ__RUNS
 * (default 1,000) for the defaults over an ArrayBuffer; a quarter of that for each variant, a
 * tenth over the wasm memory.
 */
import { test } from 'uvu';
import { conformanceChecks, fuzzRuns } from '@heaplab/core/testing';
import { createBumpFreestackAllocator, type BumpFreestackOptions } from '../src/index.js';
import { strategy } from '../src/register.js';

const variants: { name: string; backing: 'array' | 'shared' | 'wasm'; options: Partial<BumpFreestackOptions>; runs: number }[] = [
  { name: 'defaults, array', backing: 'array', options: {}, runs: fuzzRuns() },
  { name: 'defaults, shared', backing: 'shared', options: {}, runs: Math.ceil(fuzzRuns() / 4) },
  { name: 'fifo, shared', backing: 'shared', options: { fifo: true }, runs: Math.ceil(fuzzRuns() / 4) },
  { name: 'no caches, array', backing: 'array', options: { cacheBlocks: 0 }, runs: Math.ceil(fuzzRuns() / 4) },
  { name: 'defaults, WebAssembly.Memory', backing: 'wasm', options: {}, runs: Math.ceil(fuzzRuns() / 10) },
  { name: 'safe-linking, small caches, shared', backing: 'shared', options: { safeLinking: true, cacheBlocks: 2 }, runs: Math.ceil(fuzzRuns() / 4) },
  { name: 'safe-linking, fifo, array', backing: 'array', options: { safeLinking: true, fifo: true }, runs: Math.ceil(fuzzRuns() / 4) },
];

// oomRecovery as the strategy declares it ('same-size'): memory carved for one size class never serves another (Felker's design,
// README "Reclaim on out of memory"). The reclaim of wholly free runs is taken only when a run for a
// class cannot be had; a large request (200 KiB, 8 MiB) that finds no room fails without it. So
// after a fill with one size is freed, only that size is promised again.
for (const v of variants) {
  for (const c of conformanceChecks((space) => createBumpFreestackAllocator(space, v.options), { name: `bump-freestack (${v.name})`, backing: v.backing, runs: v.runs, oomRecovery: strategy.oomRecovery })) {
    test(`conformance (${v.name}): ${c.name}`, c.run);
  }
}

test.run();
