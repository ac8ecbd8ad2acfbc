// Best fit's bin search (bins.ts bestFit, walking a size-sorted large bin from both ends at once)
// finds a chunk of the smallest size ≥ the request among all binned chunks — checked against a
// walk of every chunk of the heap, for many request sizes over holes of many large sizes.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createAddressSpace } from '@heaplab/core';
import { createDlmallocAllocator } from '../src/index.js';
import { W } from '../src/layout.js';
import { rng } from './helpers/placement-run.js';

for (const seed of [1, 2, 3]) {
  test(`the bin search returns a chunk of the smallest fitting size (seed ${seed})`, () => {
    const space = createAddressSpace({ size: 256 * 2 ** 20 });
    const a = createDlmallocAllocator(space, { tcache: 0, releaseThreshold: 0 });
    const r = rng(seed);
    const holes: number[] = [];
    for (let k = 0; k < 600; k++) {
      holes.push(a.malloc(1000 + Math.floor(r() * 7000)));
      a.malloc(16); // a separator: holes never merge
    }
    for (const p of holes) if (r() < 0.6) a.free(p);
    a.check();
    const u32 = space.u32;
    const { base, top } = a.heap;
    const dv = u32[a.sw + W.dv]!;
    const size = (c: number): number => (u32[(c + 4) >>> 2]! & ~15) >>> 0;
    for (let q = 0; q < 400; q++) {
      const nb = 1024 + 16 * Math.floor(r() * 520);
      let want = 0;
      for (let c = base; c < top; c += size(c)) {
        if (!(u32[(c + 4) >>> 2]! & 2) && c !== dv && size(c) >= nb && (want === 0 || size(c) < want)) want = size(c);
      }
      const c = a.bins.bestFit(nb);
      assert.is(c === 0 ? 0 : size(c), want, `request of ${nb}`);
    }
  });
}

test.run();
