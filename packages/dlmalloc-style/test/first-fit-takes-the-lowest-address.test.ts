// First fit hands out the lowest-addressed free chunk that fits — found through the bins'
// lowest-address index (lowest.ts), checked here against a walk of every chunk of the heap
// before each request, over a seeded random run of mallocs and frees of mixed sizes.
import { test } from 'uvu';
import { checkEveryRequest } from './helpers/placement-run.js';

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
  test(`every request takes the lowest chunk that fits (seed ${seed})`, () => checkEveryRequest('first-fit', seed, lowestFit));
}

test.run();
