/*
 * `heaplab bench` runs a plan: bench/plans/bench.json by default, changed by its flags and by the
 * configuration's bench settings (HEAPLAB_BENCH__*), and records it in the ledger it is given.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { runCli } from '../helpers/run-cli.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

/** The CLI from its sources in a child process, so the configuration is read with these variables. */
function cli(args: string[], extraEnv: Record<string, string>): { code: number | null; out: string; err: string } {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extraEnv };
  delete env.NODE_OPTIONS;
  const r = spawnSync(process.execPath, ['--import', 'tsx', MAIN, ...args], { cwd: ROOT, env, encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const dir = mkdtempSync(join(tmpdir(), 'heaplab-bench-plan-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

test('bench takes its runs, events and seed from HEAPLAB_BENCH__* and records the plan it ran', async () => {
  const ledger = join(dir, 'ledger.jsonl');
  const r = cli(['bench', '-a', 'bump-freestack', '-w', 'lifo', '--no-traces', '--no-native', '--no-maps', '--json', '--out', join(dir, 'out'), '--ledger', ledger], {
    HEAPLAB_BENCH__OPERATIONS: '3000', HEAPLAB_BENCH__REPEATS: '2', HEAPLAB_BENCH__SEED: '9',
  });
  assert.is(r.code, 0, r.err);
  const c = JSON.parse(r.out);
  assert.is(c.repeat, 2);
  assert.is(c.sources[0].events, 3000);
  assert.equal(c.sources[0].spec, { kind: 'workload', name: 'lifo', seed: 9, ops: 3000 });
  assert.is(c.sources[0].allocators[0].result.runsNsPerEvent.length, 2);
  const record = JSON.parse(readFileSync(ledger, 'utf8').trim());
  assert.is(record.id, c.record);
  assert.is(record.plan.runs, 2);
  const results = JSON.parse(readFileSync(join(dir, 'out', 'results.json'), 'utf8'));
  assert.is(results.record, c.record, 'results.json names its record');
  assert.match(readFileSync(join(dir, 'out', 'report.md'), 'utf8'), new RegExp(`Record ${c.record} of the results ledger`));
});

test('lab run takes a plan file; a bad one is named with its line', async () => {
  const plan = join(dir, 'p.json');
  writeFileSync(plan, JSON.stringify({ heaplabPlan: 1, name: 'mine', runs: 1, native: false, allocators: ['dlmalloc-style:policy=first-fit'], sources: [{ workload: 'fifo', seed: 1, events: 2000 }] }, null, 1));
  const ledger = join(dir, 'lab.jsonl');
  const r = await runCli(['lab', 'run', plan, '--ledger', ledger]);
  assert.is(r.code, 0, r.err);
  assert.match(r.out, /dlmalloc-style:policy=first-fit/);
  assert.match(r.out, /record \S+ appended to /);
  writeFileSync(plan, '{\n "heaplabPlan": 1,\n "allocators": ["x"],\n "runs": -1,\n "sources": [{ "workload": "churn" }]\n}');
  const bad = await runCli(['lab', 'run', plan, '--ledger', ledger]);
  assert.is(bad.code, 2);
  assert.match(bad.err, new RegExp(`${plan.replace(/[.]/g, '\\.')}:4: plan.runs: expected a positive integer, got -1`));
});

test.run();
