// VmapTree (the free vmalloc areas) against a model: a sorted list of free page runs.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { VmapTree } from '../src/index.js';

test('the lowest fit is the lowest free area large enough, and released areas merge with their neighbours', () => {
  const t = new VmapTree(64);
  t.release(0, 100);
  t.carve(0, 100, 0, 10);
  t.carve(10, 90, 10, 30);
  assert.equal(t.list(), [[40, 60]]);
  t.release(0, 10);
  assert.equal(t.list(), [[0, 10], [40, 60]]);
  assert.is(t.lowestFit(5), 0);
  assert.is(t.lowestFit(11), 40);
  assert.is(t.lowestFit(61), -1);
  t.release(10, 30);
  assert.equal(t.list(), [[0, 100]], 'merged with both neighbours');
  t.check();
});

test('carve and release agree with a model of free pages (property)', () => {
  fc.assert(
    fc.property(fc.array(fc.record({ take: fc.boolean(), n: fc.integer({ min: 1, max: 20 }), pick: fc.nat() }), { maxLength: 120 }), (ops) => {
      const pages = 200;
      const t = new VmapTree(pages / 2 + 2, 7);
      t.release(0, pages);
      const free = new Uint8Array(pages).fill(1);
      const live: Array<[number, number]> = [];
      for (const o of ops) {
        if (o.take) {
          const at = t.lowestFit(o.n);
          // Model: the lowest run of n free pages that starts a maximal free run.
          let want = -1;
          for (let s = 0; s < pages && want < 0; ) {
            if (!free[s]) { s++; continue; }
            let e = s;
            while (e < pages && free[e]) e++;
            if (e - s >= o.n) want = s;
            s = e;
          }
          if (at !== want) return false;
          if (at < 0) continue;
          t.carve(at, t.lastSize, at, o.n);
          free.fill(0, at, at + o.n);
          live.push([at, o.n]);
        } else if (live.length > 0) {
          const [at, n] = live.splice(o.pick % live.length, 1)[0]!;
          t.release(at, n);
          free.fill(1, at, at + n);
        }
        t.check();
      }
      for (const [at, n] of live) t.release(at, n);
      t.check();
      return t.list().length === 1 && t.largest === pages;
    }),
    { seed: 21, numRuns: 200 },
  );
});

test.run();
