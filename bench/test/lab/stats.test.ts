import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { quantile, ratioInterval, spread, spreadText, verdict } from '../../src/lab/stats.js';

test('spread gives the median, extremes and interpolated quartiles', () => {
  const s = spread([5, 1, 3, 2, 4]);
  assert.equal([s.median, s.min, s.max, s.q1, s.q3, s.n], [3, 1, 5, 2, 4, 5]);
  assert.is(quantile([10, 20], 0.5), 15);
});

test('a time is noisy when its interquartile range passes the threshold, or when it is one run', () => {
  assert.is(spread([100, 101, 102, 103, 104]).noisy, false);
  assert.is(spread([100, 150, 200, 250, 300]).noisy, true);
  assert.is(spread([100]).noisy, true);
  assert.is(spread([100, 150, 200, 250, 300], 2).noisy, false);
  assert.match(spreadText(spread([100])), /\(1 run\)/);
  assert.match(spreadText(spread([100, 150, 200, 250, 300])), /^200 \(100–300\) noisy$/);
});

test('the bootstrap interval of a ratio is the same for the same runs (seeded) and holds the ratio', () => {
  const a = [110, 100, 105, 120, 98];
  const b = [50, 52, 49, 55, 51];
  const r1 = ratioInterval(a, b);
  const r2 = ratioInterval(a, b);
  assert.equal(r1, r2);
  assert.ok(r1.lo <= r1.ratio && r1.ratio <= r1.hi, JSON.stringify(r1));
  assert.ok(r1.lo > 1.5, 'clearly about 2x');
});

test('the verdict says slower, faster or not distinguishable', () => {
  const a = [100, 102, 98, 101, 99];
  assert.is(verdict(a, a.map((x) => x * 1.5)).verdict, 'slower');
  assert.is(verdict(a, a.map((x) => x * 0.6)).verdict, 'faster');
  assert.is(verdict(a, [99, 103, 97, 102, 100]).verdict, 'not distinguishable');
});

test.run();
