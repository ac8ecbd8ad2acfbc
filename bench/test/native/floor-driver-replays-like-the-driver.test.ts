/*
 * The driver's floor (build/heaplab-replay-floor: the replay loop with a do-nothing ring
 * allocator, replay.c's HEAPLAB_FLOOR) replays every kind of event as the driver does — the same
 * events, calls, peak live bytes and unknown ids, no failure — labels itself "floor", and its
 * footprint is its 4 MiB ring at most. Where the drivers are not built, the test says so.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NATIVE_DIR } from '../../src/metrics/native.js';

const DRIVER = join(NATIVE_DIR, 'build', 'heaplab-replay');
const FLOOR = join(NATIVE_DIR, 'build', 'heaplab-replay-floor');
const root = mkdtempSync(join(tmpdir(), 'heaplab-floor-'));
test.after(() => rmSync(root, { recursive: true, force: true }));

const TRACE = `# heaplab-trace v1 floor-kinds
a 1 100
c 2 3000
m 3 64 256
r 4 1 5000
r 5 0 40
a 6 200000
f 2
f 4
r 0 5 0
f 99
a 7 16
`;

interface Out { allocator: string; replayed_events: number; counts: Record<string, number>; peak_live_bytes: number; unknown_id_events: number; failures: number; peak_footprint_bytes: number }

function run(driver: string, file: string): Out {
  const r = spawnSync(driver, ['-n', '2', '-q', file], { encoding: 'utf8' });
  assert.is(r.status, 0, r.stderr);
  return JSON.parse(r.stdout.trim().split('\n').at(-1)!) as Out;
}

test('the floor replays every kind of event as the driver does, within its ring', () => {
  if (!existsSync(DRIVER) || !existsSync(FLOOR)) return console.log(`skipped: the drivers are not built (${FLOOR})`);
  const file = join(root, 'kinds.trace');
  writeFileSync(file, TRACE);
  const d = run(DRIVER, file);
  const f = run(FLOOR, file);
  assert.is(f.allocator, 'floor');
  assert.is(f.failures, 0);
  assert.equal(
    { replayed: f.replayed_events, counts: f.counts, peak: f.peak_live_bytes, unknown: f.unknown_id_events },
    { replayed: d.replayed_events, counts: d.counts, peak: d.peak_live_bytes, unknown: d.unknown_id_events },
  );
  assert.ok(f.peak_footprint_bytes <= 4 * 2 ** 20 + 64 * 1024, `footprint ${f.peak_footprint_bytes}`);
});

test.run();
