// Next fit hands out the first free chunk that fits at or after the rover (the end of the last
// chunk handed out), wrapping from the top to the heap base — the walk follows the chunk-start
// bitmap (place.ts); checked here against a walk by the sizes in the chunks' headers before each
// request, over a seeded random run of mallocs and frees of mixed sizes.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createAddressSpace } from '@heaplab/core';
import { createDlmallocAllocator } from '../src/index.js';
import { W } from '../src/layout.js';

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The chunk holding address x (the walk by sizes from the heap base). */
function chunkAt(u32: Uint32Array, base: number, x: number): number {
  let c = base;
  for (;;) {
    const n = c + ((u32[(c + 4) >>> 2]! & ~15) >>> 0);
    if (n > x) return c;
    c = n;
  }
}

/** Where next fit must place nb bytes: the first free chunk ≥ nb from the rover, wrapping; else the top. */
function expected(u32: Uint32Array, base: number, top: number, rover: number, nb: number): number {
  let any = false;
  for (let c = base; c < top; c += (u32[(c + 4) >>> 2]! & ~15) >>> 0) {
    const h = u32[(c + 4) >>> 2]!;
    if (!(h & 2) && (h & ~15) >>> 0 >= nb) any = true;
  }
  if (!any) return top;
  let c = rover < base || rover >= top ? base : chunkAt(u32, base, rover);
  for (;;) {
    const h = u32[(c + 4) >>> 2]!;
    if (!(h & 2) && (h & ~15) >>> 0 >= nb) return c;
    c += (h & ~15) >>> 0;
    if (c >= top) c = base;
  }
}

for (const seed of [1, 2, 3]) {
  test(`every request takes the first chunk that fits after the rover (seed ${seed})`, () => {
    const space = createAddressSpace({ size: 256 * 2 ** 20 });
    const a = createDlmallocAllocator(space, { policy: 'next-fit' });
    const r = rng(seed);
    const live: number[] = [];
    for (let step = 0; step < 4000; step++) {
      if (live.length === 0 || r() < 0.55) {
        const u = r();
        const n = u < 0.8 ? 1 + Math.floor(r() * 200) : u < 0.97 ? 200 + Math.floor(r() * 3000) : 4000 + Math.floor(r() * 30000);
        const nb = (n + 31) & ~15;
        const { base, top } = a.heap;
        const want = base === 0 ? 0 : expected(space.u32, base, top, space.u32[a.sw + W.rover]!, nb);
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
