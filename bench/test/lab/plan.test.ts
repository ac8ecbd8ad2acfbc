import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BENCH_PLAN, readPlanFile, resolvePlan, windowOf } from '../../src/lab/plan.js';

const dir = mkdtempSync(join(tmpdir(), 'heaplab-plan-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

test("npm run bench's plan reads, and names its windows by events for every allocator", () => {
  const p = readPlanFile(BENCH_PLAN);
  assert.is(p.runs, 5);
  assert.ok(p.sources.length >= 12, String(p.sources.length));
  const churn = p.sources.find((s) => s.source.kind === 'workload' && s.source.name === 'churn')!;
  assert.is(windowOf(p, churn, 'bump-freestack'), null);
  assert.is(windowOf(p, churn, 'thing-malloc'), 20_000);
  const ramp = p.sources.find((s) => s.source.kind === 'workload' && s.source.name === 'ramp-drain')!;
  assert.is(windowOf(p, ramp, 'zoned-classes'), 60_000, 'a source window wins over the plan window');
});

test('a window at or past the end of a source is the whole source', () => {
  const p = resolvePlan({ name: 'w', allocators: ['bump-freestack'], windows: { 'bump-freestack': 50 }, sources: [{ source: { kind: 'workload', name: 'churn', seed: 1, ops: 40 } }] });
  assert.is(windowOf(p, p.sources[0]!, 'bump-freestack'), null);
});

test('a plan file with a mistake names the file, the line and what was expected', () => {
  const f = join(dir, 'bad.json');
  writeFileSync(f, '{\n  "heaplabPlan": 1,\n  "allocators": ["bump-freestack"],\n  "runs": 0,\n  "sources": [{ "workload": "churn" }]\n}\n');
  assert.throws(() => readPlanFile(f), (e: Error) => e.message === `${f}:4: plan.runs: expected a positive integer, got 0`);
  writeFileSync(f, '{\n  "heaplabPlan": 1,\n  "allocators": ["bump-freestack"],\n  "sources": [\n    { "workload": "churn" },\n    { "tracee": "x.trace" }\n  ]\n}\n');
  assert.throws(() => readPlanFile(f), (e: Error) => e.message.startsWith(`${f}:6: expected a source with "workload"`));
  writeFileSync(f, '{ "heaplabPlan": 1, "allocators": [\n');
  assert.throws(() => readPlanFile(f), (e: Error) => e.message.startsWith(`${f}:2: expected a JSON plan`));
  assert.throws(() => readPlanFile(join(dir, 'missing.json')), /missing\.json: cannot read the plan \(ENOENT\)/);
  writeFileSync(f, '{ "allocators": [] }');
  assert.throws(() => readPlanFile(f), /expected "heaplabPlan": 1/);
});

test('a plan names unknown workloads and repeated allocators', () => {
  const src = [{ source: { kind: 'workload' as const, name: 'nope', seed: 1 } }];
  assert.throws(() => resolvePlan({ name: 'x', allocators: ['bump-freestack'], sources: src }), /unknown workload "nope"/);
  assert.throws(() => resolvePlan({ name: 'x', allocators: ['a:x=1,y=2', 'a:y=2,x=1'], sources: [{ source: { kind: 'workload', name: 'churn', seed: 1 } }] }), /named twice/);
  assert.throws(() => resolvePlan({ name: 'x', allocators: ['a'], profile: 'b', sources: [{ source: { kind: 'workload', name: 'churn', seed: 1 } }] }), /plan.profile: "b" is not one of the plan's allocators/);
});

test.run();
