/*
 * Output files are written whole or not at all: a conversion refuses an output that is its own
 * input (by device and inode, so through a symbolic or a hard link too), and a write that fails
 * half-way (a source that throws) leaves no new file, the old content of an existing one, and
 * no temporary file behind.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, linkSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chunksOf, convertTrace, writeFileAtomic, writeFileAtomicSync, writeTrace, type EventChunk, type TraceEvent } from '../../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'heaplab-whole-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

const TEXT = '# heaplab-trace v1 demo\n' + Array.from({ length: 2000 }, (_, i) => `a ${(i + 1).toString(16)} ${16 + (i % 100)}\n`).join('');
const events: TraceEvent[] = Array.from({ length: 5000 }, (_, i) => ({ kind: 'a', id: i + 1, arg: 0, size: 24, site: null }));

async function* failingSource(): AsyncGenerator<EventChunk> {
  let n = 0;
  for (const c of chunksOf(events, 'demo', 1000)) {
    yield c;
    if (++n === 3) throw new Error('the source failed');
  }
}

function leftovers(): string[] {
  return readdirSync(dir).filter((f) => f.endsWith('.tmp'));
}

test('convert refuses an output that is its input: the same path, a symbolic link and a hard link to it', async () => {
  const input = join(dir, 'a.trace');
  writeFileSync(input, TEXT);
  symlinkSync(input, join(dir, 'sym.trace'));
  linkSync(input, join(dir, 'hard.trace'));
  for (const output of [input, join(dir, '.', 'a.trace'), join(dir, 'sym.trace'), join(dir, 'hard.trace')]) {
    try {
      await convertTrace(input, output);
      assert.unreachable(`converting onto ${output} must fail`);
    } catch (e) {
      assert.match((e as Error).message, /is the input .* itself \(the same file\); write the converted trace to another file/);
    }
    assert.is(readFileSync(input, 'utf8'), TEXT, `${output}: the input is intact`);
  }
  const other = await convertTrace(input, join(dir, 'a.hltb'));
  assert.is(other.events, 2000);
});

test('a trace write whose source throws half-way leaves no new file and the old content of an existing one', async () => {
  const fresh = join(dir, 'fresh.trace');
  try {
    await writeTrace(fresh, failingSource(), { program: 'demo' });
    assert.unreachable('the write must fail');
  } catch (e) {
    assert.is((e as Error).message, 'the source failed');
  }
  assert.not.ok(existsSync(fresh), 'no half-written file');
  const old = join(dir, 'old.hltb.gz');
  writeFileSync(old, 'previous content');
  try {
    await writeTrace(old, failingSource(), { program: 'demo' });
    assert.unreachable('the write must fail');
  } catch (e) {
    assert.is((e as Error).message, 'the source failed');
  }
  assert.is(readFileSync(old, 'utf8'), 'previous content');
  assert.equal(leftovers(), []);
});

test('writeFileAtomic: a producer that throws half-way leaves the old content; a link is written through', async () => {
  const file = join(dir, 'report.json');
  writeFileSync(file, '{"old":true}\n');
  async function* pieces(): AsyncGenerator<string> {
    yield '{"new":';
    throw new Error('render failed');
  }
  try {
    await writeFileAtomic(file, pieces());
    assert.unreachable('the write must fail');
  } catch (e) {
    assert.is((e as Error).message, 'render failed');
  }
  assert.is(readFileSync(file, 'utf8'), '{"old":true}\n');
  function* syncPieces(): Generator<string> {
    yield 'half';
    throw new Error('render failed');
  }
  assert.throws(() => writeFileAtomicSync(file, syncPieces()), /render failed/);
  assert.is(readFileSync(file, 'utf8'), '{"old":true}\n');
  assert.equal(leftovers(), []);
  symlinkSync(file, join(dir, 'link.json'));
  await writeFileAtomic(join(dir, 'link.json'), '{"new":true}\n');
  assert.is(readFileSync(file, 'utf8'), '{"new":true}\n', 'the file the link points to is replaced');
  writeFileAtomicSync(file, ['a', new TextEncoder().encode('b')]);
  assert.is(readFileSync(join(dir, 'link.json'), 'utf8'), 'ab', 'the link still points to it');
});

test.run();
