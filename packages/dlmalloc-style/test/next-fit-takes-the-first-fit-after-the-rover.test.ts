// Next fit hands out the first free chunk that fits at or after the rover (the end of the last
// chunk handed out), wrapping from the top to the heap base — the walk follows the chunk-start
// bitmap (place.ts); checked here against a walk by the sizes in the chunks' headers before each
// request, over a seeded random run of mallocs and frees of mixed sizes.
import { test } from 'uvu';
import { W } from '../src/layout.js';
import { checkEveryRequest } from './helpers/placement-run.js';

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
  test(`every request takes the first chunk that fits after the rover (seed ${seed})`, () =>
    checkEveryRequest('next-fit', seed, (u32, base, top, nb, a) => expected(u32, base, top, u32[a.sw + W.rover]!, nb)));
}

test.run();
