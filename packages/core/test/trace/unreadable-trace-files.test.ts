/*
 * A trace that cannot be read is an error naming the file and what to do: a missing file (not a
 * bare ENOENT), and gzip data cut short (not zlib's bare "unexpected end of file"), whether it is
 * streamed or parsed whole.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chunksOf, openTrace, parseTrace, writeTrace, type TraceEvent } from '../../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'heaplab-unreadable-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

async function messageOf(f: () => Promise<unknown>): Promise<string> {
  try {
    await f();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected an error, nothing was thrown');
}

async function readAll(file: string): Promise<number> {
  const t = await openTrace(file);
  let n = 0;
  for await (const c of t.chunks()) n += c.count;
  return n;
}

test('a missing trace file is an error naming it, where it was looked for, and how to make one', async () => {
  const file = join(dir, 'missing.trace');
  assert.is(
    await messageOf(() => readAll(file)),
    `${file}: no such trace file (looked for ${resolve(file)}); check the path, or record one with \`heaplab trace record\` or export a workload with \`heaplab workload export\``,
  );
});

test('a truncated .hltb.gz is an error naming the file and saying it is truncated, streamed or parsed whole', async () => {
  const events: TraceEvent[] = Array.from({ length: 50_000 }, (_, i) => ({ kind: 'a', id: i + 1, arg: 0, size: 8 + (i % 500), site: null }));
  const whole = join(dir, 'whole.hltb.gz');
  await writeTrace(whole, chunksOf(events, 'demo'), { program: 'demo' });
  const bytes = readFileSync(whole);
  const cut = join(dir, 'cut.hltb.gz');
  writeFileSync(cut, bytes.subarray(0, Math.floor(bytes.length / 2)));
  const expected = new RegExp(`^${cut.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: its gzip data ends before its end: the file is truncated \\(unexpected end of file\\); copy or record the trace again$`);
  assert.match(await messageOf(() => readAll(cut)), expected);
  assert.match(await messageOf(async () => parseTrace(readFileSync(cut), cut)), expected);
  assert.is(await readAll(whole), 50_000);
});

test.run();
