/*
 * Shards: `--shard i/n` runs disjoint parts of a plan that together cover it, and their merged
 * record is the whole plan's: the same plan hash, every cell from the shard that owns it, the
 * same footprint figures (they are deterministic) and the same shape of timed runs (times cannot
 * be compared for equality). Footprint runs made side by side give the figures of runs made one
 * at a time.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { LabRecord, RawRun } from '../../src/lab/api.js';
import { mergeShards } from '../../src/lab/merge.js';
import { resolvePlan } from '../../src/lab/plan.js';
import { runPlan } from '../../src/lab/run.js';
import { cellShard, parseShard, planHash } from '../../src/lab/shard.js';

const plan = resolvePlan({
  name: 'shards',
  allocators: ['bump-freestack', 'dlmalloc-style', 'dlmalloc-style:policy=first-fit'],
  sources: [
    { source: { kind: 'workload', name: 'churn', seed: 3, ops: 6_000 } },
    { source: { kind: 'workload', name: 'fifo', seed: 3, ops: 5_000 } },
  ],
  runs: 2,
  warmup: 0,
  native: false,
  spaceMib: 256,
});

function memory(r: RawRun | null): unknown {
  if (r === null) return null;
  const { ns: _ns, minorFaults: _f, ...rest } = r;
  return rest;
}

/** Per source and allocator: the footprint figures, the window, the error and how many timed runs. */
function shape(r: LabRecord): unknown {
  return r.sources.map((s) => ({ name: s.name, sha256: s.sha256, events: s.events, peakLive: s.peakLive, cells: s.allocators.map((a) => ({ spec: a.spec, window: a.window, error: a.error, skipped: a.skipped, footprint: memory(a.footprint), series: a.series, timed: a.timed.length, replayed: a.timed.map((t) => t.replayed) })) }));
}

test('each cell belongs to exactly one shard, and the split uses every shard', () => {
  for (const n of [1, 2, 3, 5]) {
    const seen = new Map<number, number>();
    for (let s = 0; s < 4; s++) for (let a = 0; a < 4; a++) {
      const k = cellShard(s, a, 4, n);
      assert.ok(k >= 1 && k <= n, `cell (${s}, ${a}) → ${k} of ${n}`);
      seen.set(k, (seen.get(k) ?? 0) + 1);
    }
    assert.is(seen.size, n, `16 cells over ${n} shards use all of them`);
    assert.ok(Math.max(...seen.values()) - Math.min(...seen.values()) <= 1, 'the cells are spread evenly');
  }
  assert.equal(parseShard('2/3'), { index: 2, count: 3 });
  for (const bad of ['0/2', '3/2', '1', 'a/b', '1/0']) assert.throws(() => parseShard(bad), /--shard/);
});

test('shards 1/2 and 2/2 merged give the whole plan: same plan hash, same cells, same footprint figures', async () => {
  const whole = await runPlan(plan, { ledger: null, progress: false });
  const one = await runPlan(plan, { ledger: null, progress: false, shard: { index: 1, count: 2 } });
  const two = await runPlan(plan, { ledger: null, progress: false, shard: { index: 2, count: 2 } });
  for (const s of whole.sources) for (const a of s.allocators) assert.is(a.error, null, `${a.spec} on ${s.name}: ${a.error}`);
  assert.is(one.planHash, whole.planHash);
  assert.is(two.planHash, planHash(plan));
  // The two shards ran disjoint cells that cover the plan.
  const ran = (r: LabRecord) => r.sources.flatMap((s) => s.allocators.filter((a) => a.footprint !== null).map((a) => `${s.name} ${a.spec}`));
  const a = ran(one);
  const b = ran(two);
  assert.ok(a.length > 0 && b.length > 0, `both shards ran cells: ${a.length}, ${b.length}`);
  assert.equal(a.filter((x) => b.includes(x)), [], 'no cell ran twice');
  assert.equal([...a, ...b].sort(), ran(whole).sort(), 'together they ran every cell');
  const merged = mergeShards([two, one]);
  assert.is(merged.planHash, whole.planHash);
  assert.equal(merged.plan, whole.plan);
  assert.equal(merged.shards!.map((s) => [s.index, s.id]), [[1, one.id], [2, two.id]], 'each shard kept with its record id');
  assert.equal(merged.shards!.map((s) => s.provenance), [one.provenance, two.provenance], "each shard's provenance kept");
  assert.equal(shape(merged), shape(whole));
});

test('merge refuses shards of another plan, a shard given twice, a missing shard, and a whole-plan record', async () => {
  const small = resolvePlan({ name: 'other', allocators: ['bump-freestack'], sources: [plan.sources[1]!], runs: 1, warmup: 0, native: false, spaceMib: 256 });
  const one = await runPlan(small, { ledger: null, progress: false, shard: { index: 1, count: 2 } });
  const two = await runPlan(small, { ledger: null, progress: false, shard: { index: 2, count: 2 } });
  const whole = await runPlan(small, { ledger: null, progress: false });
  assert.throws(() => mergeShards([one]), /shard 2\/2 missing/);
  assert.throws(() => mergeShards([one, one, two]), /given twice/);
  assert.throws(() => mergeShards([one, whole]), /not a shard's/);
  const foreign = { ...two, planHash: 'f'.repeat(64) };
  assert.throws(() => mergeShards([one, foreign]), /another plan/);
  assert.is(mergeShards([one, two]).sources[0]!.allocators[0]!.footprint!.m4, whole.sources[0]!.allocators[0]!.footprint!.m4);
});

test('footprint runs made two at a time give the figures of runs made one at a time', async () => {
  const serial = await runPlan(plan, { ledger: null, progress: false, workers: 1 });
  const side = await runPlan(plan, { ledger: null, progress: false, workers: 2 });
  assert.is(side.provenance.phases!.workers, 2);
  assert.ok(side.provenance.phases!.footprintSeconds > 0 && side.provenance.phases!.timedSeconds > 0);
  assert.equal(shape(side), shape(serial));
});

test.run();
