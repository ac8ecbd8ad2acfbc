/*
 * The native replay driver (bench/native/heaplab-replay) reads core's binary trace form (HLTB,
 * plain or gzipped, file or standard input) to exactly the figures it reads the v1 text form to:
 * events by kind, replayed events, peak live bytes, unknown ids, requests that failed when
 * recorded, ids reused while live. A trace with every kind of event (memalign, realloc from NULL,
 * to 0 and failed, a free of an id never allocated) is written in both forms by core's writer.
 * A damaged binary file is refused with its name, the byte offset and what was expected. Where the
 * driver is not built (no C compiler), the tests say so and check nothing else.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { parseTrace, writeTrace } from '@heaplab/core';
import { NATIVE_DIR } from '../../src/metrics/native.js';

const DRIVER = join(NATIVE_DIR, 'build', 'heaplab-replay');
const built = existsSync(DRIVER);
const root = mkdtempSync(join(tmpdir(), 'heaplab-driver-binary-'));
test.after(() => rmSync(root, { recursive: true, force: true }));

const TEXT = `# heaplab-trace v1 every-kind
a 10 100 main.c:3
c 20 64
m 30 48 64 main.c:9
r 40 10 300
r 50 0 16
r 0 20 0
r 0 40 1000000
a 10 7
a 10 9
f 99
f 40
f 30
a 0 5
f 50
f 10
`;

interface DriverJson { program: string; events: number; replayed_events: number; counts: Record<string, number>; peak_live_bytes: number; unknown_id_events: number; failed_in_trace: number; duplicate_ids: number }

function drive(args: string[], input?: Buffer): { status: number | null; json: DriverJson | null; stderr: string } {
  const r = spawnSync(DRIVER, ['-n', '1', '-q', ...args], { input, encoding: 'buffer' });
  const out = r.stdout.toString('utf8').trim();
  return { status: r.status, json: out ? (JSON.parse(out.split('\n').at(-1)!) as DriverJson) : null, stderr: r.stderr.toString('utf8') };
}

function figures(j: DriverJson): unknown {
  const { program, events, replayed_events, counts, peak_live_bytes, unknown_id_events, failed_in_trace, duplicate_ids } = j;
  return { program, events, replayed_events, counts, peak_live_bytes, unknown_id_events, failed_in_trace, duplicate_ids };
}

test('the binary form (file, gzip, standard input) gives the text form\'s figures', async () => {
  if (!built) return console.log(`skipped: the driver is not built (${DRIVER})`);
  const trace = parseTrace(TEXT, 'every-kind.trace');
  const textFile = join(root, 'every-kind.trace');
  const binFile = join(root, 'every-kind.hltb');
  await writeTrace(textFile, trace.chunks, { program: 'every-kind', format: 'text' });
  await writeTrace(binFile, trace.chunks, { program: 'every-kind', format: 'binary' });
  assert.equal([...readFileSync(binFile).subarray(0, 4)], [...Buffer.from('HLTB')]);
  const text = drive([textFile]);
  assert.is(text.status, 0, text.stderr);
  const want = figures(text.json!);
  assert.equal(want, {
    program: 'every-kind', events: 15, replayed_events: text.json!.replayed_events,
    counts: { a: 4, c: 1, m: 1, r: 4, f: 5 }, peak_live_bytes: text.json!.peak_live_bytes,
    unknown_id_events: 1, failed_in_trace: 2, duplicate_ids: 1,
  });
  const bin = drive([binFile]);
  assert.is(bin.status, 0, bin.stderr);
  assert.equal(figures(bin.json!), want);
  const gzFile = join(root, 'every-kind.hltb.gz');
  writeFileSync(gzFile, gzipSync(readFileSync(binFile)));
  const gz = drive([gzFile]);
  assert.is(gz.status, 0, gz.stderr);
  assert.equal(figures(gz.json!), want);
  const stdin = drive(['-'], readFileSync(binFile));
  assert.is(stdin.status, 0, stdin.stderr);
  assert.equal(figures(stdin.json!), want);
});

test('a damaged binary file is refused with its name, the byte and what was expected', async () => {
  if (!built) return console.log(`skipped: the driver is not built (${DRIVER})`);
  const binFile = join(root, 'ok.hltb');
  await writeTrace(binFile, parseTrace(TEXT, 'x.trace').chunks, { program: 'every-kind', format: 'binary' });
  const good = readFileSync(binFile);
  const cases: [string, Buffer, RegExp][] = [
    ['version', Buffer.concat([Buffer.from('HLTB'), Buffer.from([2, 0, 0])]), /bad-version\.hltb: byte 4: expected binary trace version 1/],
    ['cut', good.subarray(0, good.length - 1), /cut\.hltb: byte \d+: expected the (size|id delta) \(varint\)/],
    ['tag', Buffer.concat([good, Buffer.from([0xc0])]), /tag\.hltb: byte \d+: expected a record tag/],
  ];
  for (const [name, bytes, message] of cases) {
    const f = join(root, `${name === 'version' ? 'bad-version' : name}.hltb`);
    writeFileSync(f, bytes);
    const r = drive([f]);
    assert.is(r.status, 1, `${name}: exit status`);
    assert.match(r.stderr, message, `${name}: ${r.stderr}`);
  }
});

test.run();
