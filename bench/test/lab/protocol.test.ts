/*
 * The protocol's promises: the same plan gives the same memory figures (they are deterministic),
 * each allocator runs in an isolate of its own, and an allocator's time does not depend on which
 * other allocators share the plan.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { median } from '@heaplab/core';
import type { LabRecord, RawRun } from '../../src/lab/api.js';
import { resolvePlan } from '../../src/lab/plan.js';
import { runPlan } from '../../src/lab/run.js';
import { runsNs } from '../../src/lab/summary.js';
import { verdict } from '../../src/lab/stats.js';

const HEAPLAB = ['mmap-pages', 'bump-freestack', 'zoned-classes', 'zoned-classes:preset=light', 'dlmalloc-style', 'dlmalloc-style:policy=next-fit', 'first-fit', 'thing-malloc'];

/** Everything a footprint run measured but its time and page faults (which the machine sets). */
function memory(r: RawRun): unknown {
  const { ns: _ns, minorFaults: _f, ...rest } = r;
  return rest;
}

function memoryOf(rec: LabRecord): unknown {
  return rec.sources.map((s) => s.allocators.map((a) => ({ spec: a.spec, error: a.error, window: a.window, footprint: a.footprint && memory(a.footprint), series: a.series, end: a.timed.map(memory) })));
}

test('two runs of one plan give identical memory figures for every heaplab allocator', async () => {
  const plan = resolvePlan({
    name: 'identity',
    allocators: HEAPLAB,
    sources: [
      { source: { kind: 'workload', name: 'churn', seed: 7, ops: 12_000 } },
      { source: { kind: 'workload', name: 'adversary', seed: 7, ops: 8_000 } },
    ],
    windows: { 'thing-malloc': 3_000 },
    runs: 1,
    native: false,
    spaceMib: 1024,
  });
  const a = await runPlan(plan, { ledger: null, progress: false });
  const b = await runPlan(plan, { ledger: null, progress: false });
  for (const s of a.sources) for (const x of s.allocators) assert.is(x.error, null, `${x.spec} on ${s.name}: ${x.error}`);
  assert.equal(memoryOf(a), memoryOf(b));
  assert.equal(a.sources.map((s) => s.sha256), b.sources.map((s) => s.sha256));
});

test('each allocator of a plan runs in an isolate of its own that makes only its own class', async () => {
  const plan = resolvePlan({
    name: 'isolates',
    allocators: ['zoned-classes', 'dlmalloc-style', 'mmap-pages', 'bump-freestack+checking'],
    sources: [{ source: { kind: 'workload', name: 'churn', seed: 1, ops: 5_000 } }],
    runs: 2,
    native: false,
    spaceMib: 512,
  });
  const r = await runPlan(plan, { ledger: null, progress: false });
  const as = r.sources[0]!.allocators;
  const threads = as.map((a) => a.threadId);
  assert.ok(threads.every((t) => typeof t === 'number' && t > 0), `worker threads: ${threads}`);
  assert.is(new Set(threads).size, as.length, `one thread per allocator: ${threads}`);
  assert.equal(as.map((a) => a.classes.length), [1, 1, 1, 2], JSON.stringify(as.map((a) => a.classes)));
  assert.ok(as[3]!.classes.some((c) => /Check/i.test(c)), 'the wrapper is made in the isolate of its allocator');
  assert.equal(as[3]!.resolved?.wrappers.map((w) => w.name), ['checking']);
});

test("an allocator's time does not depend on the other allocators in the plan (within the measured noise)", async () => {
  const source = { source: { kind: 'workload' as const, name: 'churn', seed: 3, ops: 60_000 } };
  const alone = resolvePlan({ name: 'alone', allocators: ['bump-freestack'], sources: [source], runs: 3, native: false });
  const crowd = resolvePlan({
    name: 'crowd',
    // The allocators that slowed bump-freestack most when they shared its isolate, before it.
    allocators: ['zoned-classes', 'dlmalloc-style', 'mmap-pages', 'bump-freestack'],
    windows: { 'mmap-pages': 10_000, 'zoned-classes': 20_000 },
    sources: [source],
    runs: 3,
    native: false,
  });
  const ns: Record<string, number[]> = { alone: [], crowd: [] };
  // Alternate the two plans, a few runs at a time, so the machine's drift falls on both.
  for (let k = 0; k < 4; k++) {
    for (const [name, plan] of [['alone', alone], ['crowd', crowd]] as const) {
      const r = await runPlan(plan, { ledger: null, progress: false });
      ns[name]!.push(...runsNs(r.sources[0]!.allocators.find((a) => a.spec === 'bump-freestack')!.timed));
    }
  }
  // Either the two sets of runs cannot be told apart at the noise they show (bootstrap interval of
  // the ratio of medians holds 1), or they differ by less than half. Another isolate's collector
  // running during bump-freestack's runs made it 2.85× slower; a machine loaded by other work
  // moves runs taken seconds apart by up to 1.5× (seen at a load average of 16 on 2 cores).
  const v = verdict(ns.alone!, ns.crowd!);
  console.log(`  bump-freestack: alone ${median(ns.alone!).toFixed(0)} ns/event, after three others ${median(ns.crowd!).toFixed(0)}: ratio ${v.ratio.toFixed(2)} (${v.lo.toFixed(2)}–${v.hi.toFixed(2)}), ${v.verdict}`);
  assert.ok(v.verdict === 'not distinguishable' || (v.ratio > 0.67 && v.ratio < 1.5), `ratio ${v.ratio} (${v.lo}–${v.hi}): alone ${ns.alone}, crowd ${ns.crowd}`);
});

test.run();
