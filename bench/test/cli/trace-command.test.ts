import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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

test('trace convert refuses to write over its input and leaves it intact', async () => {
  const input = join(dir, 'same.trace');
  writeFileSync(input, TEXT);
  const r = await runCli(['trace', 'convert', input, input]);
  assert.is(r.code, 1);
  assert.is(r.err, `heaplab: ${input}: this is the input ${input} itself (the same file); write the converted trace to another file\n`);
  assert.is(readFileSync(input, 'utf8'), TEXT);
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

test('trace stats prints kinds, peaks, shares and the histogram; --json gives the same figures; --svg writes the plot', async () => {
  writeFileSync(join(dir, 'in.trace'), TEXT);
  const r = await runCli(['trace', 'stats', join(dir, 'in.trace'), '--svg', join(dir, 'sizes.svg')]);
  assert.is(r.code, 0, r.err);
  assert.match(r.out, /program demo, 5 events\n/);
  assert.match(r.out, /by kind: malloc 2, calloc 0, aligned 1, realloc 0, free 2\n/);
  assert.match(r.out, /requests 3 \(failed 1\), largest 100 B; frees of unknown ids 1\n/);
  assert.match(r.out, /peak live 124 B \(124 B\), 2 blocks; live at the end 1 blocks, 100 B\n/);
  assert.match(r.out, /under 100 B 66\.7%, under 1 KiB 100\.0%, at least 128 KiB 0%/);
  assert.match(r.out, / 8–15 │█{40} +33\.3% 1\n/);
  assert.match(r.out, /32–63 │ {40} +0% 0\n/);
  assert.match(r.out, /16–31 │█+ +33\.3% 1\n/);
  const svg = readFileSync(join(dir, 'sizes.svg'), 'utf8');
  assert.ok(svg.startsWith('<svg'), svg.slice(0, 40));
  assert.match(svg, /demo \(3 requests\): request sizes \(66\.7% under 100 B\)/);
  assert.match(svg, /64–127/);
  const j = await runCli(['trace', 'stats', join(dir, 'in.trace'), '--json']);
  const stats = JSON.parse(j.out);
  assert.equal(stats.byKind, { a: 2, c: 0, m: 1, r: 0, f: 2 });
  assert.equal([stats.peakLiveBytes, stats.peakLiveBlocks, stats.failed, stats.unknownFrees], [124, 2, 1, 1]);
  assert.equal(stats.sizes.map((b: { count: number }) => b.count), [1, 1, 0, 1]);
});

test('trace stats of a missing file, a malformed file or into a missing directory is an error that says which', async () => {
  const missing = await runCli(['trace', 'stats', join(dir, 'nope.trace')]);
  assert.is(missing.code, 2);
  assert.match(missing.err, /nope\.trace does not exist/);
  writeFileSync(join(dir, 'bad.trace'), '# heaplab-trace v1 demo\na 10 x\n');
  const bad = await runCli(['trace', 'stats', join(dir, 'bad.trace')]);
  assert.is(bad.code, 1);
  assert.match(bad.err, /bad\.trace:2: expected the size/);
  writeFileSync(join(dir, 'in.trace'), TEXT);
  const noDir = await runCli(['trace', 'stats', join(dir, 'in.trace'), '--svg', join(dir, 'no', 'x.svg')]);
  assert.is(noDir.code, 2);
  assert.match(noDir.err, /--svg: the directory of .*x\.svg does not exist/);
  assert.not.ok(existsSync(join(dir, 'no')));
  const toDir = await runCli(['trace', 'stats', join(dir, 'in.trace'), '--svg', dir]);
  assert.is(toDir.code, 2);
  assert.match(toDir.err, /--svg: .* is a directory; give the SVG file's name/);
  assert.is(toDir.out, '');
  const fromDir = await runCli(['trace', 'stats', dir]);
  assert.is(fromDir.code, 1);
  assert.is(fromDir.err, `heaplab: ${dir}: expected a trace file, got a directory\n`);
});

test.run();
