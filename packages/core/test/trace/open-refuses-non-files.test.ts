// openTrace names the path and what it found when given something that is not a regular file,
// before reading anything (every command that reads a trace goes through it).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HeaplabError, openTrace } from '../../src/index.js';

test('a directory is refused with its name and "expected a trace file"', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'heaplab-open-'));
  try {
    const e = await openTrace(dir).then(() => null, (x: unknown) => x);
    assert.instance(e, HeaplabError);
    assert.is((e as Error).message, `${dir}: expected a trace file, got a directory`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a missing file is an error naming the path (not the bare system error)', async () => {
  const e = await openTrace('/no/such/trace').then(() => null, (x: unknown) => x);
  assert.match(String(e), /\/no\/such\/trace: no such trace file \(looked for \/no\/such\/trace\)/);
});

test.run();
