/*
 * The commands: `sweep` writes a record with every grid point and the Pareto tables and SVG
 * pictures; `lab run --shard i/n` writes shard records that `lab merge` joins into one record of
 * the whole plan, which `lab show` reads.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readLedger } from '../../src/lab/ledger.js';
import { runCli } from '../helpers/run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'heaplab-sweep-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

test('sweep writes one record with every grid point, the front table and the pictures', async () => {
  const ledger = join(dir, 'sweep.jsonl');
  const out = join(dir, 'out');
  const r = await runCli(['sweep', '-a', 'dlmalloc-style', '--grid', 'policy=best-fit,next-fit', '--grid', 'mmapThreshold=64k,1m', '-w', 'fifo', '--events', '3000', '--runs', '1', '--workers', '2', '--ledger', ledger, '-o', out]);
  assert.is(r.code, 0, r.err);
  const [rec] = readLedger(ledger);
  assert.equal(rec!.plan.allocators, ['dlmalloc-style:mmapThreshold=65536,policy=best-fit', 'dlmalloc-style:mmapThreshold=1048576,policy=best-fit', 'dlmalloc-style:mmapThreshold=65536,policy=next-fit', 'dlmalloc-style:mmapThreshold=1048576,policy=next-fit']);
  assert.is(rec!.provenance.phases!.workers, 2);
  assert.match(r.out, /\| source \| settings \| ns per event \(median\) \| M4 \|/);
  for (const f of ['sweep.md', 'sweep.html', 'pareto-fifo.svg', 'm4-policy-fifo.svg', 'm4-mmapThreshold-fifo.svg']) assert.ok(existsSync(join(out, f)), f);
  const svg = readFileSync(join(out, 'pareto-fifo.svg'), 'utf8');
  assert.match(svg, /policy=next-fit mmapThreshold=1m|mmapThreshold=1m policy=next-fit/, 'points are labelled with their settings');
  assert.match(readFileSync(join(out, 'sweep.html'), 'utf8'), /<svg/);
});

test('lab run --shard 1/2 and 2/2, then lab merge, give one record of the whole plan', async () => {
  const plan = join(dir, 'plan.json');
  writeFileSync(plan, JSON.stringify({ heaplabPlan: 1, name: 'sharded', runs: 1, warmup: 0, native: false, spaceMib: 256, allocators: ['bump-freestack', 'dlmalloc-style'], sources: [{ workload: 'fifo', seed: 1, events: 2000 }, { workload: 'lifo', seed: 1, events: 2000 }] }));
  for (const i of [1, 2]) {
    const r = await runCli(['lab', 'run', plan, '--shard', `${i}/2`, '--ledger', join(dir, `shard-${i}.jsonl`)]);
    assert.is(r.code, 0, r.err);
    assert.match(r.out, new RegExp(`shard ${i}/2: 2 cells run`));
  }
  const merged = join(dir, 'merged.jsonl');
  const m = await runCli(['lab', 'merge', join(dir, 'shard-1.jsonl'), join(dir, 'shard-2.jsonl'), '--out', merged]);
  assert.is(m.code, 0, m.err);
  const [rec] = readLedger(merged);
  assert.equal(rec!.shards!.map((s) => s.index), [1, 2]);
  assert.ok(rec!.sources.every((s) => s.allocators.every((a) => a.error === null && a.footprint !== null)), 'every cell came from its shard');
  const show = await runCli(['lab', 'show', rec!.id, '--ledger', merged]);
  assert.is(show.code, 0, show.err);
  const bad = await runCli(['lab', 'merge', join(dir, 'shard-1.jsonl'), '--out', merged]);
  assert.is(bad.code, 2);
  assert.match(bad.err, /shard 2\/2 missing/);
  const absent = await runCli(['lab', 'merge', join(dir, 'no-such.jsonl'), '--out', merged]);
  assert.is(absent.code, 2);
  assert.match(absent.err, /no-such\.jsonl: no such ledger file/);
});

test.run();
