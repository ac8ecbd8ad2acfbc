// Next fit's free-size tree (roving.ts): after any sequence of raises and tightenings, find(i, nb)
// is the first region j ≥ i whose own bound admits nb — the answer of a scan over every region —
// and every entry stays at least each of its children. Seeded, over a tree of four levels, kept
// in a flat 64 MiB space and in a 2^47 space (there the tree sits above 2^32, near the top).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { PROT_READ, PROT_WRITE, createAddressSpace } from '@heaplab/core';
import { REGION_SHIFT, RovingIndex } from '../src/roving.js';
import { rng } from './helpers/placement-run.js';

const BASE = 1 << 20;
const SPAN = 40 * 2 ** 20; // 40,960 regions: levels of 40,960, 1,280, 64 and 32 entries

for (const [seed, size] of [[1, 2 ** 26], [2, 2 ** 26], [3, 2 ** 26], [4, 2 ** 47]] as const) {
  test(`find agrees with a scan of every region's bound (seed ${seed}, ${size === 2 ** 47 ? '2^47' : '64 MiB'} space)`, () => {
    const space = createAddressSpace({ size });
    const at = space.mmap(0, RovingIndex.bytesFor(SPAN), PROT_READ | PROT_WRITE);
    if (size > 2 ** 32) assert.ok(at > 2 ** 32);
    const t = new RovingIndex(space.raw, at, BASE, SPAN);
    assert.is(t.topLevel, 3);
    const regions = SPAN >>> REGION_SHIFT;
    const r = rng(seed);
    const pick = () => Math.floor(r() * r() * regions); // more traffic at low regions, as a heap has
    for (let step = 0; step < 20_000; step++) {
      const u = r();
      if (u < 0.45) t.raise(BASE + (pick() << REGION_SHIFT) + 16 * Math.floor(r() * 64), 16 * (1 + Math.floor(r() * r() * 4096)));
      else if (u < 0.7) {
        const i = pick();
        t.tighten(i, Math.floor(t.bound(i) * r() / 16) * 16);
      } else {
        const i = pick();
        const nb = 16 * (1 + Math.floor(r() * r() * 4096));
        let want = -1;
        for (let j = i; j < regions; j++) {
          if (t.bound(j) >= nb) {
            want = j;
            break;
          }
        }
        assert.is(t.find(i, nb), want, `find(${i}, ${nb}) at step ${step}`);
      }
      if (step % 1000 === 0) assert.is(t.firstWrong(0, regions - 1), '');
    }
    assert.is(t.firstWrong(0, regions - 1), '');
    assert.is(t.find(regions, 16), -1);
  });
}

test.run();
