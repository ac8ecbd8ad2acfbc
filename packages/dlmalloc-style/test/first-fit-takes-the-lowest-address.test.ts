// First fit hands out the lowest-addressed free chunk that fits — found through the bins'
// lowest-address index (lowest.ts), checked here against a walk of every chunk of the heap
// before each request, over a seeded random run of mallocs and frees of mixed sizes.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createAddressSpace } from '@heaplab/core';
import { createDlmallocAllocator } from '../src/index.js';

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The lowest free heap chunk of at least nb bytes (the top when none), by walking boundary tags. */
function lowestFit(u32: Uint32Array, base: number, top: number, nb: number): number {
  for (let c = base; c < top; ) {
    const h = u32[(c + 4) >>> 2]!;
    const s = (h & ~15) >>> 0;
    if (!(h & 2) && s >= nb) return c;
    c += s;
  }
  return top;
}

for (const seed of [1, 2, 3]) {
  test(`every request takes the lowest chunk that fits (seed ${seed})`, () => {
    const space = createAddressSpace({ size: 256 * 2 ** 20 });
    const a = createDlmallocAllocator(space, { policy: 'first-fit' });
    const r = rng(seed);
    const live: number[] = [];
    for (let step = 0; step < 4000; step++) {
      if (live.length === 0 || r() < 0.55) {
        const u = r();
        const n = u < 0.8 ? 1 + Math.floor(r() * 200) : u < 0.97 ? 200 + Math.floor(r() * 3000) : 4000 + Math.floor(r() * 30000);
        const nb = (n + 31) & ~15;
        const { base, top } = a.heap;
        const want = base === 0 ? 0 : lowestFit(space.u32, base, top, nb);
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
  });
}

test.run();
