import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventsOf, parseTrace } from '@heaplab/core';
import { churn } from '../../src/workloads/index.js';
import { runCli } from '../helpers/run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'heaplab-workload-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

test('workload list names churn with its size', async () => {
  const r = await runCli(['workload', 'list']);
  assert.is(r.code, 0);
  assert.match(r.out, /^churn\s+2000000 events/m);
});

test('workload export writes a v1 trace with the workload\'s events (stdout and file, text and binary)', async () => {
  const expected = eventsOf(churn.events({ seed: 5, ops: 300 }));
  const r = await runCli(['workload', 'export', 'churn', '--seed', '5', '--ops', '300']);
  assert.is(r.code, 0, r.err);
  assert.ok(r.out.startsWith('# heaplab-trace v1 churn\na 1 '), r.out.slice(0, 40));
  assert.equal(eventsOf(parseTrace(r.out).chunks), expected);
  for (const name of ['c.trace', 'c.hltb']) {
    const f = await runCli(['workload', 'export', 'churn', '--seed', '5', '--ops', '300', '--out', join(dir, name)]);
    assert.is(f.code, 0, f.err);
    assert.is(f.err, `churn (seed 5): 300 events → ${join(dir, name)}\n`);
    const t = parseTrace(readFileSync(join(dir, name)));
    assert.is(t.format, name.endsWith('.hltb') ? 'binary' : 'text');
    assert.equal(eventsOf(t.chunks), expected);
  }
});

test('an unknown workload is a usage error listing the workloads', async () => {
  const r = await runCli(['workload', 'export', 'nope']);
  assert.is(r.code, 2);
  assert.match(r.err, /^heaplab: unknown workload "nope"; workloads: churn(, [a-z-]+)*\n$/);
});

test.run();
