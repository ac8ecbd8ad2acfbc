/*
 * The Pareto front keeps exactly the points no other point beats on both time and M4; the
 * settings of a point are the options that vary among the record's specs; the time left of a
 * progress bar is the mean step time times the steps left.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { axesOf, markFront } from '../../src/lab/pareto.js';
import { durationText, remainingSeconds } from '../../src/lab/progress.js';

test('a point is on the front iff no other is at least as good on both and better on one', () => {
  const pts = markFront<{ ns: number; m4: number; onFront?: boolean }>([
    { ns: 100, m4: 1.5 }, // fastest
    { ns: 200, m4: 1.2 }, // a trade-off
    { ns: 300, m4: 1.1 }, // tightest
    { ns: 250, m4: 1.3 }, // beaten by (200, 1.2)
    { ns: 100, m4: 1.6 }, // beaten by (100, 1.5): equal time, worse M4
    { ns: NaN, m4: 1.0 }, // did not run
  ]);
  assert.equal(pts.map((p) => p.onFront), [true, true, true, false, false, false]);
  // Brute force over random sets: the front is exactly the undominated points.
  let seed = 7;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
  for (let k = 0; k < 200; k++) {
    const set: { ns: number; m4: number; onFront?: boolean }[] = Array.from({ length: 8 }, () => ({ ns: Math.round(rnd() * 10), m4: Math.round(rnd() * 10) }));
    markFront(set);
    for (const p of set) {
      const dominated = set.some((q) => q.ns <= p.ns && q.m4 <= p.m4 && (q.ns < p.ns || q.m4 < p.m4));
      assert.is(p.onFront, !dominated);
    }
  }
});

test("a record's axes are the options that vary among its specs", () => {
  assert.equal(axesOf(['dlmalloc-style:mmapThreshold=65536,policy=best-fit,tcache=0', 'dlmalloc-style:mmapThreshold=1048576,policy=best-fit,tcache=0', 'dlmalloc-style:mmapThreshold=65536,policy=next-fit,tcache=0']), ['mmapThreshold', 'policy']);
  assert.equal(axesOf(['bump-freestack', 'bump-freestack:fifo=true']), ['fifo']);
});

test('the time left is the mean step time times the steps left', () => {
  assert.is(remainingSeconds(10, 40, 20), 60);
  assert.ok(Number.isNaN(remainingSeconds(0, 40, 5)));
  assert.is(durationText(65), '1m05s');
  assert.is(durationText(3725), '1h02m');
  assert.is(durationText(9), '9s');
});

test.run();
