/*
 * The LD_PRELOAD recorder (bench/native/record.c) on programs whose allocations are known:
 *   - bench/native/test/record-test.c: 4 threads + main churning through every interposed call
 *     (malloc, calloc, realloc, reallocarray, posix_memalign, aligned_alloc, memalign, valloc,
 *     pvalloc, realloc(p, 0), free(NULL)), a fork while the threads run, a second fork that execs
 *     the program again. Each process prints the counts of its own ("magic"-sized) events; its
 *     trace must hold exactly those, no id allocated twice while live, and only the expected
 *     unknown frees (the block the first child inherited from its parent);
 *   - real system programs (sort, and gcc compiling a small file: gcc, cc1 and as are separate
 *     processes), whose traces must be valid v1 files with no id allocated twice while live and
 *     no frees of ids they never allocated.
 * Where the recorder is not built (no C compiler), the tests say so and check nothing else.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NATIVE_DIR } from '../../src/metrics/native.js';
import { RECORDER } from '../../src/cli/commands/trace.js';
import { checkRecordedTrace } from '../helpers/recorded-trace.js';

const TEST_PROGRAM = join(NATIVE_DIR, 'build', 'heaplab-record-test');
const built = existsSync(RECORDER) && existsSync(TEST_PROGRAM);
const root = mkdtempSync(join(tmpdir(), 'heaplab-recorder-'));
test.after(() => rmSync(root, { recursive: true, force: true }));

function record(dir: string, command: string, args: string[], input?: string): string {
  mkdirSync(dir, { recursive: true });
  const r = spawnSync(command, args, { input, encoding: 'utf8', env: { ...process.env, LD_PRELOAD: RECORDER, HEAPLAB_RECORD_DIR: dir }, cwd: dir });
  assert.is(r.status, 0, `${command} under the recorder: ${r.stderr}`);
  return r.stdout;
}

test('record-test: one file per process (fork, exec), each with exactly the events the process made', async () => {
  if (!built) return console.log(`skipped: the recorder is not built (${RECORDER})`);
  const dir = join(root, 'record-test');
  const out = record(dir, TEST_PROGRAM, []);
  const expects = out.trim().split('\n').map((l) => {
    const m = /^expect (\d+) (\S+) a=(\d+) c=(\d+) m=(\d+) r=(\d+) f=(\d+) unknown>=(\d+)$/.exec(l);
    assert.ok(m, `unexpected line from record-test: ${l}`);
    return { file: `heaplab-record-test.${m[1]}${m[2] === '-' ? '' : m[2]}.trace`, magic: { a: +m[3]!, c: +m[4]!, m: +m[5]!, r: +m[6]!, f: +m[7]! }, unknown: +m[8]! };
  });
  assert.is(expects.length, 4, out);
  assert.equal(readdirSync(dir).sort(), expects.map((e) => e.file).sort());
  const main = expects.find((e) => e.magic.a === 1 + 5 * 500);
  assert.ok(main, 'the parent process reported its counts');
  for (const e of expects) {
    const c = await checkRecordedTrace(join(dir, e.file));
    assert.is(c.program, 'heaplab-record-test');
    assert.equal(c.errors, [], e.file);
    assert.equal(c.magic, e.magic, e.file);
    assert.ok(c.unknownFrees >= e.unknown, `${e.file}: ${c.unknownFrees} unknown frees, expected at least ${e.unknown}`);
    assert.is(c.failed, 0, e.file);
  }
  // the parent's file: 5 threads × 500 iterations × 18 events of its own, plus libc's
  const parent = await checkRecordedTrace(join(dir, main.file));
  assert.ok(parent.events >= 5 * 500 * 18, String(parent.events));
});

test('sort: a valid trace, no id allocated twice while live, no frees of ids it never allocated', async () => {
  if (!built) return console.log(`skipped: the recorder is not built (${RECORDER})`);
  const dir = join(root, 'sort');
  const lines = Array.from({ length: 2000 }, (_, i) => `line ${(i * 7919) % 2003} ${'x'.repeat(i % 90)}`);
  const out = record(dir, 'sort', [], lines.join('\n') + '\n');
  assert.is(out.split('\n')[0], [...lines].sort()[0]);
  const files = readdirSync(dir);
  assert.equal(files.length, 1, files.join(', '));
  assert.match(files[0]!, /^sort\.\d+\.trace$/);
  const c = await checkRecordedTrace(join(dir, files[0]!));
  assert.is(c.program, 'sort');
  assert.equal(c.errors, []);
  assert.is(c.unknownFrees, 0);
  assert.ok(c.events > 100, `${c.events} events`); // sort reads its input into a few large buffers: about 300 events here
});

test('gcc compiling a small file: gcc, cc1 and as each write a valid trace with no id allocated twice while live', async () => {
  if (!built) return console.log(`skipped: the recorder is not built (${RECORDER})`);
  const dir = join(root, 'gcc');
  mkdirSync(dir);
  writeFileSync(join(dir, 'small.c'), 'struct p { int x, y; };\nint add(struct p *a) { return a->x + a->y; }\nint main(void) { struct p v = { 1, 2 }; return add(&v) - 3; }\n');
  record(dir, 'gcc', ['-O2', '-c', 'small.c', '-o', 'small.o']);
  const traces = readdirSync(dir).filter((f) => f.endsWith('.trace'));
  const programs = new Set<string>();
  for (const f of traces) {
    const c = await checkRecordedTrace(join(dir, f));
    programs.add(c.program);
    assert.equal(c.errors, [], f);
    assert.is(c.unknownFrees, 0, f);
  }
  for (const p of ['gcc', 'cc1', 'as']) assert.ok(programs.has(p), `no trace of ${p} among ${traces.join(', ')}`);
});

test.run();
