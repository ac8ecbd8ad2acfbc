import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'heaplab-trace-cmd-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

const TEXT = '# heaplab-trace v1 demo\na 7f0010 24 main\nm 7f1000 100 64\nf 7f0010\nf 123\na 0 9\n';

test('trace convert goes text → binary.gz → text and gives back canonical text', async () => {
  writeFileSync(join(dir, 'in.trace'), TEXT);
  const a = await runCli(['trace', 'convert', join(dir, 'in.trace'), join(dir, 'x.hltb.gz')]);
  assert.is(a.code, 0, a.err);
  assert.match(a.out, /\(text\) → .*x\.hltb\.gz \(binary\): 5 events of demo/);
  assert.equal([...readFileSync(join(dir, 'x.hltb.gz')).subarray(0, 2)], [0x1f, 0x8b]);
  const b = await runCli(['trace', 'convert', join(dir, 'x.hltb.gz'), join(dir, 'back.trace')]);
  assert.is(b.code, 0, b.err);
  assert.is(readFileSync(join(dir, 'back.trace'), 'utf8'), TEXT);
});

test('trace convert of a malformed file fails naming the file and line', async () => {
  writeFileSync(join(dir, 'bad.trace'), '# heaplab-trace v1 demo\na 10\n');
  const r = await runCli(['trace', 'convert', join(dir, 'bad.trace'), join(dir, 'o.hltb')]);
  assert.is(r.code, 1);
  assert.is(r.err, `heaplab: ${join(dir, 'bad.trace')}:2: expected the size (decimal), got end of line\n`);
});

test('trace info counts events by kind and reports ids never allocated', async () => {
  writeFileSync(join(dir, 'in.trace'), TEXT);
  const r = await runCli(['trace', 'info', join(dir, 'in.trace'), '--json']);
  assert.is(r.code, 0, r.err);
  const info = JSON.parse(r.out);
  assert.equal(info.kinds, { a: 2, c: 0, m: 1, r: 0, f: 2 });
  assert.equal(info.anomalies, { failedRequests: 1, unknownIds: 1, reusedLiveIds: 0, firstUnknown: ['event 3 (line 5): f 123'] });
});

test.run();
