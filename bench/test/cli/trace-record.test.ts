/*
 * `heaplab trace record` runs a command under bench/native's LD_PRELOAD recorder. Where the
 * recorder is built, the traces it writes must parse with core's codec and replay; where it is
 * not (no C compiler), the command must say so.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SlotMapper, eventsOf, parseTrace } from '@heaplab/core';
import { RECORDER } from '../../src/cli/commands/trace.js';
import { runCli } from '../helpers/run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'heaplab-record-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

test('a recorded ls writes ls.<pid>.trace that core parses, with sites, and maps without reused live ids', async () => {
  const r = await runCli(['trace', 'record', '--out', dir, '--sites', '--', 'ls', '-l', '/']);
  if (!existsSync(RECORDER)) {
    assert.is(r.code, 2);
    assert.match(r.err, /the recorder is not built/);
    return;
  }
  assert.is(r.code, 0, r.err);
  const files = readdirSync(dir).filter((f) => /^ls\.\d+(-\d+)?\.trace$/.test(f));
  assert.is(files.length, 1, readdirSync(dir).join(', '));
  assert.match(r.err, new RegExp(`exit 0; 1 trace in .*\\n  ${files[0]!.replace(/\./g, '\\.')}\\n`));
  const t = parseTrace(readFileSync(join(dir, files[0]!)), files[0]!);
  assert.is(t.program, 'ls');
  const events = eventsOf(t.chunks);
  assert.ok(events.length > 10, `${events.length} events`);
  assert.ok(events.some((e) => e.kind === 'a' && e.site !== null && /^[0-9a-f]+$/.test(e.site)));
  const m = new SlotMapper();
  for (const c of t.chunks) m.map(c);
  assert.is(m.anomalies.reusedLiveIds, 0);
});

test('record --out makes a missing directory, refuses a file, and --only must be a list of names', async () => {
  if (!existsSync(RECORDER)) return;
  const fresh = join(dir, 'made', 'here');
  const r = await runCli(['trace', 'record', '--out', fresh, '--', 'true']);
  assert.is(r.code, 0, r.err);
  assert.equal(readdirSync(fresh).filter((f) => /^true\.\d+\.trace$/.test(f)).length, 1);
  writeFileSync(join(dir, 'plain-file'), 'x');
  const f = await runCli(['trace', 'record', '--out', join(dir, 'plain-file'), '--', 'true']);
  assert.is(f.code, 2);
  assert.match(f.err, /--out: .*plain-file exists and is not a directory/);
  const o = await runCli(['trace', 'record', '--out', dir, '--only', 'cc1, as', '--', 'true']);
  assert.is(o.code, 2);
  assert.match(o.err, /--only: expected program names separated by commas \(no spaces or slashes\), got "cc1, as"/);
});

test.run();
