import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LabRecord } from '../../src/lab/api.js';
import { diffRecords, diffText } from '../../src/lab/diff.js';
import { appendRecord, findRecord, readLedger } from '../../src/lab/ledger.js';
import { resolvePlan } from '../../src/lab/plan.js';
import { runPlan } from '../../src/lab/run.js';

const dir = mkdtempSync(join(tmpdir(), 'heaplab-ledger-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

let record: LabRecord;

test('a run of a plan appends one record with every provenance field', async () => {
  const ledger = join(dir, 'ledger.jsonl');
  const plan = resolvePlan({ name: 'small', allocators: ['bump-freestack', 'dlmalloc-style:policy=first-fit'], sources: [{ source: { kind: 'workload', name: 'lifo', seed: 2, ops: 4_000 } }], runs: 3, spaceMib: 256 });
  record = await runPlan(plan, { ledger, progress: false });
  const all = readLedger(ledger);
  assert.is(all.length, 1);
  const r = all[0]!;
  assert.is(r.id, record.id);
  assert.match(r.id, /^\d{8}T\d{6}Z-[0-9a-f]{6}$/);
  const p = r.provenance;
  assert.match(p.commit ?? '', /^[0-9a-f]{40}$/);
  assert.type(p.dirty, 'boolean');
  assert.ok(p.node.startsWith('v') && p.v8.length > 0 && p.cpu.count > 0 && p.cpu.model.length > 0);
  assert.is(p.loadBefore.length, 3);
  assert.is(p.loadAfter.length, 3);
  assert.match(p.libc ?? '', /^glibc \d+\.\d+/);
  assert.ok(Array.isArray(p.nativeLibraries));
  assert.ok(p.seconds > 0);
  const s = r.sources[0]!;
  assert.match(s.sha256, /^[0-9a-f]{64}$/);
  const dl = s.allocators[1]!;
  assert.is(dl.resolved?.parameters.policy, 'first-fit');
  assert.ok('tcache' in dl.resolved!.parameters, 'the configured parameters are recorded, not only the spec\'s');
  assert.is(dl.timed.length, 3, 'every run\'s raw figures');
  assert.ok(dl.footprint !== null);
  assert.equal(r.plan.allocators, ['bump-freestack', 'dlmalloc-style:policy=first-fit']);
});

test('records are found by id, prefix, suffix or last; a bad line names the file and line', () => {
  const ledger = join(dir, 'ledger.jsonl');
  appendRecord(ledger, { ...record, id: `${record.id.slice(0, -6)}abcdef` });
  assert.is(findRecord(ledger, 'last').id.endsWith('abcdef'), true);
  assert.is(findRecord(ledger, record.id.slice(-6)).id, record.id);
  assert.throws(() => findRecord(ledger, record.id.slice(0, 8)), /names 2 records/);
  assert.throws(() => findRecord(ledger, 'zzz'), /no record "zzz"/);
  appendFileSync(ledger, '{"not": "a record"}\n');
  assert.throws(() => readLedger(ledger), (e: Error) => e.message === `${ledger}:3: expected a heaplab record ("heaplabRecord": 1 with id, plan, provenance, sources)`);
  assert.is(readFileSync(ledger, 'utf8').split('\n').filter(Boolean).length, 3);
});

test('diff: a record against itself is not distinguishable with identical memory; slower runs are slower', () => {
  const same = diffRecords(record, record);
  assert.is(same.length, 2);
  for (const r of same) {
    assert.is(r.time?.verdict, 'not distinguishable');
    assert.equal(r.memory, []);
  }
  // The machine's noise is not the point here: steady runs, then the same three times slower.
  const steady: LabRecord = JSON.parse(JSON.stringify(record));
  for (const a of steady.sources[0]!.allocators) a.timed.forEach((t, i) => (t.ns = t.replayed * [100, 103, 98][i]!));
  const slow: LabRecord = JSON.parse(JSON.stringify(steady));
  for (const a of slow.sources[0]!.allocators) for (const t of a.timed) t.ns *= 3;
  slow.sources[0]!.allocators[0]!.footprint!.m4 += 0.5;
  const d = diffRecords(steady, slow);
  assert.equal(d.map((r) => r.time?.verdict), ['slower', 'slower']);
  assert.equal(d[0]!.memory.map((m) => m[0]), ['m4']);
  assert.match(diffText(steady, slow, d).join('\n'), /lifo bump-freestack: time B\/A 3\.000 .*B is slower; memory m4/);
  const other: LabRecord = JSON.parse(JSON.stringify(record));
  other.sources[0]!.sha256 = '0'.repeat(64);
  assert.match(diffRecords(record, other)[0]!.why ?? '', /the source differs/);
});

test.run();
