/*
 * Shared by the placement tests: a seeded generator (mulberry32) and a seeded random run of
 * mallocs and frees of mixed sizes in which, before each malloc, an oracle walking the heap's
 * boundary tags says which chunk the policy must hand out; the run asserts the allocator agrees
 * and runs check() every 97 steps and at the end.
 */
import * as assert from 'uvu/assert';
import { createAddressSpace } from '@heaplab/core';
import { createDlmallocAllocator, type DlmallocAllocator } from '../../src/index.js';
import type { PlacementPolicy } from '../../src/api.js';

/** mulberry32: a seeded generator of floats in [0, 1). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The chunk a request of nb bytes (chunk size) must take: a heap chunk, or top when none fits. */
export type PlacementOracle = (u32: Uint32Array, base: number, top: number, nb: number, a: DlmallocAllocator) => number;

/** 4,000 seeded steps (55% malloc: 80% 1–200 B, 17% to 3.2 KB, 3% to 34 KB), each malloc checked against the oracle. */
export function checkEveryRequest(policy: PlacementPolicy, seed: number, oracle: PlacementOracle): void {
  const space = createAddressSpace({ size: 256 * 2 ** 20 });
  const a = createDlmallocAllocator(space, { policy });
  const r = rng(seed);
  const live: number[] = [];
  for (let step = 0; step < 4000; step++) {
    if (live.length === 0 || r() < 0.55) {
      const u = r();
      const n = u < 0.8 ? 1 + Math.floor(r() * 200) : u < 0.97 ? 200 + Math.floor(r() * 3000) : 4000 + Math.floor(r() * 30000);
      const nb = (n + 31) & ~15;
      const { base, top } = a.heap;
      const want = base === 0 ? 0 : oracle(space.u32, base, top, nb, a);
      const p = a.malloc(n);
      if (base !== 0) assert.is(p - 16, want, `step ${step}: malloc(${n})`);
      live.push(p);
    } else {
      const k = Math.floor(r() * live.length);
      a.free(live[k]!);
      live[k] = live[live.length - 1]!;
      live.pop();
    }
    if (step % 97 === 0) a.check();
  }
  a.check();
}
