/*
 * The native runner against a stand-in bench/native (shell scripts printing what
 * native-allocators.sh and heaplab-replay print, see bench/native/README.md), so the protocol
 * is checked without a C compiler: arguments, -p for footprint touch, LD_PRELOAD, skips.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { combineNative, runNative } from '../../src/metrics/native.js';

const dir = mkdtempSync(join(tmpdir(), 'heaplab-native-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

const driver = join(dir, 'build', 'heaplab-replay');

function standIn(driverBody: string): void {
  mkdirSync(join(dir, 'build'), { recursive: true });
  writeFileSync(driver, `#!/bin/sh\n${driverBody}\n`);
  chmodSync(driver, 0o755);
  const entries = [
    { name: 'glibc', available: true, driver, preload: null },
    { name: 'jemalloc', available: true, driver, preload: '/fake/libjemalloc.so.2' },
    { name: 'mimalloc', available: false, reason: 'libmimalloc.so not found' },
  ];
  writeFileSync(join(dir, 'native-allocators.sh'), `echo '${JSON.stringify(entries)}'\n`);
}

test('a driver that is not built is skipped with a message, not an error', async () => {
  const r = await runNative('/nonexistent.trace', { footprint: false, dir: join(dir, 'none') });
  assert.equal(r.figures, []);
  assert.match(r.skipped[0]!, /the driver is not built/);
});

test('each available allocator runs once (-n 1, -p in footprint touch, its label, LD_PRELOAD, its page faults unless -1); unavailable ones are skipped with their reason', async () => {
  // The stand-in echoes what it was given inside its JSON: footprint 8192 with -p, the label as allocator, ns from LD_PRELOAD.
  standIn(
    [
      'fp=4096; label=; for a in "$@"; do case "$a" in -p) fp=8192;; esac; done',
      'while [ $# -gt 1 ]; do if [ "$1" = "-l" ]; then label=$2; fi; shift; done',
      'if [ -n "$LD_PRELOAD" ]; then ns=7.5; faults=-1; else ns=12.5; faults=42; fi',
      'echo "{\\"allocator\\":\\"$label\\",\\"ns_per_event_median\\":$ns,\\"ns_per_event_runs\\":[$ns],\\"minor_faults_runs\\":[$faults],\\"peak_footprint_bytes\\":$fp,\\"replayed_events\\":3,\\"failures\\":0,\\"unknown_id_events\\":1,\\"trace\\":\\"$1\\"}"',
    ].join('\n'),
  );
  const speed = await runNative('t.trace', { footprint: false, dir });
  assert.equal(speed.figures, [
    { name: 'glibc', nsPerEvent: 12.5, runsNsPerEvent: [12.5], footprint: 4096, replayed: 3, failures: 0, unknownIds: 1, minorFaults: 42 },
    { name: 'jemalloc', nsPerEvent: 7.5, runsNsPerEvent: [7.5], footprint: 4096, replayed: 3, failures: 0, unknownIds: 1 },
  ]);
  assert.equal(speed.skipped, ['mimalloc skipped: libmimalloc.so not found']);
  const fp = await runNative('t.trace', { footprint: true, dir });
  assert.equal(fp.figures.map((f) => f.footprint), [8192, 8192]);
});

test('the floor runs the floor driver as allocator "floor" when asked, and is skipped with its path when not built', async () => {
  standIn('echo "{\\"allocator\\":\\"x\\",\\"ns_per_event_median\\":3,\\"ns_per_event_runs\\":[3],\\"peak_footprint_bytes\\":0,\\"replayed_events\\":3,\\"failures\\":0,\\"unknown_id_events\\":0}"');
  const without = await runNative('t.trace', { footprint: false, dir, floor: true });
  assert.equal(without.figures.map((f) => f.name), ['glibc', 'jemalloc']);
  assert.equal(without.skipped.at(-1), `floor skipped: ${join(dir, 'build', 'heaplab-replay-floor')} is not built`);
  writeFileSync(join(dir, 'build', 'heaplab-replay-floor'), '#!/bin/sh\necho "{\\"allocator\\":\\"floor\\",\\"ns_per_event_median\\":1.5,\\"ns_per_event_runs\\":[1.5],\\"peak_footprint_bytes\\":4096,\\"replayed_events\\":3,\\"failures\\":0,\\"unknown_id_events\\":0}"\n');
  chmodSync(join(dir, 'build', 'heaplab-replay-floor'), 0o755);
  const withFloor = await runNative('t.trace', { footprint: false, dir, floor: true });
  assert.equal(withFloor.figures.map((f) => [f.name, f.nsPerEvent]), [['glibc', 3], ['jemalloc', 3], ['floor', 1.5]]);
  const notAsked = await runNative('t.trace', { footprint: false, dir });
  assert.equal(notAsked.figures.map((f) => f.name), ['glibc', 'jemalloc']);
});

test('a driver failure or output that is not its JSON line is an error naming the allocator', async () => {
  standIn('echo "oops"');
  try {
    await runNative('t.trace', { footprint: false, dir });
    assert.unreachable('no error');
  } catch (e) {
    assert.is((e as Error).message, 'native driver (glibc): expected a JSON line on standard output, got "oops"');
  }
  standIn('echo "heaplab-replay: t.trace:3: expected a size" >&2; exit 1');
  try {
    await runNative('t.trace', { footprint: false, dir });
    assert.unreachable('no error');
  } catch (e) {
    assert.is((e as Error).message, 'native driver (glibc) failed: heaplab-replay: t.trace:3: expected a size');
  }
});

test('rounds combine per allocator: median time and faults, largest footprint, faults only where reported', () => {
  const g = (ns: number, footprint: number, minorFaults?: number) => ({ name: 'glibc', nsPerEvent: ns, runsNsPerEvent: [ns], footprint, replayed: 7, ...(minorFaults === undefined ? {} : { minorFaults }) });
  const j = (ns: number) => ({ name: 'jemalloc', nsPerEvent: ns, runsNsPerEvent: [ns], footprint: 100 });
  const c = combineNative([[g(30, 10, 500), j(9)], [g(10, 40, 300), j(7)], [g(20, 20, 400), j(8)]]);
  assert.equal(c, [
    { name: 'glibc', nsPerEvent: 20, runsNsPerEvent: [30, 10, 20], footprint: 40, replayed: 7, minorFaults: 400 },
    { name: 'jemalloc', nsPerEvent: 8, runsNsPerEvent: [9, 7, 8], footprint: 100 },
  ]);
});

test.run();
