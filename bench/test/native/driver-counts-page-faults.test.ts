/*
 * The native replay driver reports, per run, the minor page faults of its event loop
 * (`minor_faults_runs`, from getrusage): 2,000 blocks of 12 KiB, none freed, are 24 MiB of a heap
 * that did not exist before the first run, and writing the first and last byte of each lands on
 * at least one fresh page per block. Where the driver is not built (no C compiler), the test says
 * so and checks nothing else.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NATIVE_DIR } from '../../src/metrics/native.js';

const DRIVER = join(NATIVE_DIR, 'build', 'heaplab-replay');
const BLOCKS = 2000;
const root = mkdtempSync(join(tmpdir(), 'heaplab-driver-faults-'));
test.after(() => rmSync(root, { recursive: true, force: true }));

test('each run reports its page faults, one at least per block written on fresh pages in the first', () => {
  if (!existsSync(DRIVER)) return console.log(`skipped: the driver is not built (${DRIVER})`);
  const file = join(root, 'fresh.trace');
  const lines = ['# heaplab-trace v1 fresh'];
  for (let i = 1; i <= BLOCKS; i++) lines.push(`a ${i} 12288`);
  writeFileSync(file, `${lines.join('\n')}\n`);
  const r = spawnSync(DRIVER, ['-n', '2', '-q', file], { encoding: 'utf8' });
  assert.is(r.status, 0, r.stderr);
  const j = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { minor_faults_runs: number[] };
  assert.is(j.minor_faults_runs.length, 2);
  assert.ok(j.minor_faults_runs.every((n) => Number.isInteger(n) && n >= 0), `faults: ${j.minor_faults_runs}`);
  assert.ok(j.minor_faults_runs[0]! >= BLOCKS, `faults of the first run: ${j.minor_faults_runs[0]}`);
});

test.run();
