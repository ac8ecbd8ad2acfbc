/*
 * Grids: `--grid key=v,v --grid key=v,v,v` over a base spec gives every combination once, as the
 * normalised spec text the ledger uses, with sizes parsed (64k = 65536), the base's own options
 * kept, and mistakes named.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { gridPoints, parseAxis, settingsLabel, sizeText } from '../../src/lab/grid.js';
import { parseSpec } from '../../src/lab/spec.js';
import { sweepPlan } from '../../src/lab/sweep.js';

test('a 3×3 grid gives nine distinct specs, sizes parsed, the last axis varying fastest', () => {
  const points = gridPoints(parseSpec('dlmalloc-style'), [parseAxis('policy=best-fit,first-fit,next-fit'), parseAxis('mmapThreshold=64k,128k,1m')]);
  assert.is(points.length, 9);
  assert.is(new Set(points.map((p) => p.spec.spec)).size, 9);
  assert.equal(points[0]!.settings, { policy: 'best-fit', mmapThreshold: 65536 });
  assert.equal(points[1]!.settings, { policy: 'best-fit', mmapThreshold: 131072 });
  assert.equal(points[8]!.settings, { policy: 'next-fit', mmapThreshold: 1048576 });
  assert.is(points[8]!.spec.spec, 'dlmalloc-style:mmapThreshold=1048576,policy=next-fit');
  assert.is(settingsLabel(points[8]!.settings), 'policy=next-fit mmapThreshold=1m');
});

test("the base spec's options and wrappers are kept at every point", () => {
  const points = gridPoints(parseSpec('dlmalloc-style:tcache=0+checking'), [parseAxis('policy=best-fit,first-fit')]);
  assert.equal(points.map((p) => p.spec.spec), ['dlmalloc-style:policy=best-fit,tcache=0+checking', 'dlmalloc-style:policy=first-fit,tcache=0+checking']);
});

test('mistakes are named: no values, a value twice, an axis twice, an axis the base sets', () => {
  assert.throws(() => parseAxis('policy='), /at least one value/);
  assert.throws(() => parseAxis('policy'), /key=value/);
  assert.throws(() => parseAxis('mmapThreshold=64k,65536'), /given twice/);
  assert.throws(() => gridPoints(parseSpec('dlmalloc-style'), [parseAxis('policy=best-fit'), parseAxis('policy=next-fit')]), /two axes/);
  assert.throws(() => gridPoints(parseSpec('dlmalloc-style:policy=best-fit'), [parseAxis('policy=next-fit')]), /already sets it/);
});

test('a sweep is a plan whose allocators are the grid points', () => {
  const plan = sweepPlan({ allocator: 'bump-freestack', axes: [parseAxis('classesPerDoubling=1,2,4')], sources: [{ source: { kind: 'workload', name: 'churn', seed: 1, ops: 1000 } }] });
  assert.equal(plan.allocators, ['bump-freestack:classesPerDoubling=1', 'bump-freestack:classesPerDoubling=2', 'bump-freestack:classesPerDoubling=4']);
  assert.is(plan.runs, 3);
  assert.is(plan.native, false);
  assert.is(sizeText(3 * 2 ** 20), '3m');
  assert.is(sizeText(1000), '1000');
});

test.run();
