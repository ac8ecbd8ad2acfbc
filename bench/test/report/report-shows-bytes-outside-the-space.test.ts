/*
 * The report's tables show, right after M4's, the bytes each allocator holds outside the space
 * (peak stats().externalBytes) over the source's peak live: what M4 would gain at most if they
 * were in the space. Built-in allocators keep their state in the space, so theirs is small.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { comparisonGrids } from '../../src/report/tables.js';
import { fixtureComparison } from './comparison-fixture.js';

test('the report shows bytes outside the space beside M4, per allocator and source', async () => {
  const c = await fixtureComparison({ allocators: ['zoned-classes', 'bump-freestack'], sources: [{ kind: 'workload', name: 'churn', seed: 1, ops: 4_000 }] });
  const grids = comparisonGrids(c);
  const m4 = grids.findIndex((g) => g.title.startsWith('M4 '));
  const out = grids[m4 + 1]!;
  assert.match(out.title, /^Outside the space/);
  assert.equal(out.head, ['source', 'zoned-classes', 'bump-freestack']);
  const s = c.sources[0]!;
  for (const [k, name] of ['zoned-classes', 'bump-freestack'].entries()) {
    const r = s.allocators.find((a) => a.name === name)!.result!;
    assert.ok(r.external.peak > 0, `${name} reports its tables`);
    assert.is(out.rows[0]![k + 1], (r.external.peak / r.live.peak).toFixed(3));
  }
});

test.run();
