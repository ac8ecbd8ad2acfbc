/*
 * Cost of whoOwns per call and of each wrapper per operation (issue 4's figures), medians from
 * tinybench, side by side in one run. Not a test.
 *
 *   npx tsx bench/scripts/registry-costs.ts
 *
 * Wrappers: dlmalloc-style bare and under each wrapper; one task = 256 × (free the block in a
 * ring slot, malloc a new one of 16–400 bytes), 64 blocks live; figure = median task time / 512.
 * whoOwns: 1,000 calls on interior addresses of 10,000 live blocks (8–100 B and 1% up to 4 KiB),
 * with dlmalloc-style bare, under tracing + checking (the site lookup up the chain), with
 * mmap-pages, zoned-classes and bump-freestack (the cost is mostly the leaf's blockAt); plus
 * addresses in no mapping.
 */

import { Bench } from 'tinybench';
import {
  createAddressSpace, createCheckingAllocator, createLockedAllocator, createStatsAllocator, createTracingAllocator, setAllocationSite,
  type AddressSpace, type Allocator,
} from '@heaplab/core';
import { createDlmallocAllocator } from '@heaplab/dlmalloc-style';
import { createMmapPagesAllocator } from '@heaplab/mmap-pages';
import { createZonedAllocator } from '@heaplab/zoned-classes';
import { createBumpFreestackAllocator } from '@heaplab/bump-freestack';

const SPACE = 2 ** 30;
const RING = 64;
const PAIRS = 256;

function sizes(n: number, seed: number, max: number): Uint32Array {
  const out = new Uint32Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    out[i] = 16 + (s % (max - 15));
  }
  return out;
}

const wrapperCases: [string, (s: AddressSpace) => Allocator][] = [
  ['bare dlmalloc-style', (s) => createDlmallocAllocator(s)],
  ['tracing (given sites)', (s) => createTracingAllocator(createDlmallocAllocator(s))],
  ['checking (given sites)', (s) => createCheckingAllocator(createDlmallocAllocator(s), { sites: 'given' })],
  ['checking (stack sites)', (s) => createCheckingAllocator(createDlmallocAllocator(s), { sites: 'stack' })],
  ['stats', (s) => createStatsAllocator(createDlmallocAllocator(s))],
  ['locked (ArrayBuffer)', (s) => createLockedAllocator(createDlmallocAllocator(s))],
];

const bench = new Bench({ time: 600, warmupTime: 150 });
const sz = sizes(PAIRS, 7, 400);
for (const [name, make] of wrapperCases) {
  const a = make(createAddressSpace({ size: SPACE }));
  const ring = new Float64Array(RING);
  let k = 0;
  bench.add(`wrapper: ${name}`, () => {
    for (let i = 0; i < PAIRS; i++) {
      const slot = k++ & (RING - 1);
      if (ring[slot] !== 0) a.free(ring[slot]!);
      ring[slot] = a.malloc(sz[i]!);
    }
  });
}
{
  const space = createAddressSpace({ size: SPACE, backing: 'shared' });
  const a = createLockedAllocator(createDlmallocAllocator(space));
  const ring = new Float64Array(RING);
  let k = 0;
  bench.add('wrapper: locked (SharedArrayBuffer)', () => {
    for (let i = 0; i < PAIRS; i++) {
      const slot = k++ & (RING - 1);
      if (ring[slot] !== 0) a.free(ring[slot]!);
      ring[slot] = a.malloc(sz[i]!);
    }
  });
}

function populated(a: Allocator): Float64Array {
  const n = 10_000;
  const s = sizes(n, 11, 100);
  const addrs = new Float64Array(1000);
  const ptrs: number[] = [];
  for (let i = 0; i < n; i++) {
    setAllocationSite(`site-${i % 50}`);
    const size = i % 100 === 0 ? 4096 : s[i]!;
    ptrs.push(a.malloc(size));
  }
  setAllocationSite(null);
  for (let i = 0; i < addrs.length; i++) addrs[i] = ptrs[(i * 7919) % n]! + ((i * 13) % 8);
  return addrs;
}

const whoCases: [string, (s: AddressSpace) => Allocator][] = [
  ['dlmalloc-style', (s) => createDlmallocAllocator(s)],
  ['dlmalloc-style < checking < tracing', (s) => createTracingAllocator(createCheckingAllocator(createDlmallocAllocator(s), { sites: 'given' }))],
  ['mmap-pages', (s) => createMmapPagesAllocator(s)],
  ['zoned-classes', (s) => createZonedAllocator(s)],
  ['bump-freestack', (s) => createBumpFreestackAllocator(s)],
];
for (const [name, make] of whoCases) {
  const space = createAddressSpace({ size: SPACE });
  const addrs = populated(make(space));
  let sink = 0;
  bench.add(`whoOwns: ${name}`, () => {
    for (let i = 0; i < addrs.length; i++) sink += space.whoOwns(addrs[i]!).block ? 1 : 0;
  });
  void sink;
}
{
  const space = createAddressSpace({ size: SPACE });
  const hole = space.startBrk + 16 * 4096;
  bench.add('whoOwns: unmapped address', () => {
    for (let i = 0; i < 1000; i++) space.whoOwns(hole + i).text;
  });
}

await bench.run();
const p50 = (name: string): number => ((bench.tasks.find((t) => t.name === name)!.result as unknown as { latency: { p50: number } }).latency.p50 * 1e6);
const bare = p50('wrapper: bare dlmalloc-style') / (2 * PAIRS);
console.log('wrapper cost per operation (malloc or free), dlmalloc-style underneath, medians:');
for (const t of bench.tasks.filter((x) => x.name.startsWith('wrapper: '))) {
  const ns = p50(t.name) / (2 * PAIRS);
  console.log(`  ${t.name.slice(9).padEnd(28)} ${ns.toFixed(1).padStart(8)} ns/op   ${(ns / bare).toFixed(2)}× bare   (+${(ns - bare).toFixed(1)} ns)`);
}
console.log('whoOwns cost per call (interior addresses of 10,000 live blocks), medians:');
for (const t of bench.tasks.filter((x) => x.name.startsWith('whoOwns: '))) {
  console.log(`  ${t.name.slice(9).padEnd(36)} ${(p50(t.name) / 1000).toFixed(1).padStart(8)} ns/call`);
}
