/*
 * The Pareto front keeps exactly the points no other point beats on both time and M4; the
 * settings of a point are the options that vary among the record's specs; the time left of a
 * progress bar is the mean step time times the steps left.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { axesOf, labelPositions, markFront } from '../../src/lab/pareto.js';
import { durationText, remainingSeconds } from '../../src/report/progress.js';

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

test('labels of points drawn close together do not overlap', () => {
  const pts = Array.from({ length: 9 }, (_, i) => ({ ns: 1000 + (i % 3) * 10, m4: 1.05 + Math.floor(i / 3) * 0.001, label: `mmapThreshold=${i}k policy=best-fit` }));
  const at = labelPositions(pts, [500, 5000], [1, 1.2], 560, 360);
  const py = (m4: number) => 360 * (1 - (m4 - 1) / 0.2);
  const px = (ns: number) => (560 * (Math.log(ns) - Math.log(500))) / (Math.log(5000) - Math.log(500));
  const boxes = pts.map((p, i) => ({ x0: px(p.ns) + 7, x1: px(p.ns) + 7 + 5.5 * p.label.length, y0: py(at[i]!) - 5.5, y1: py(at[i]!) + 5.5 }));
  for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
    const a = boxes[i]!;
    const b = boxes[j]!;
    assert.ok(!(a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1 - 1e-9), `labels ${i} and ${j} overlap`);
  }
});

test('the time left is the mean step time times the steps left', () => {
  assert.is(remainingSeconds(10, 40, 20), 60);
  assert.ok(Number.isNaN(remainingSeconds(0, 40, 5)));
  assert.is(durationText(65), '1m05s');
  assert.is(durationText(3725), '1h02m');
  assert.is(durationText(9), '9s');
});

test.run();
