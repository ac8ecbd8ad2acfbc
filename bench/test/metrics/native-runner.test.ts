/*
 * The native runner against a stand-in driver (a shell script printing the driver's JSON line),
 * so the protocol is checked without a C compiler: arguments, -p for footprint touch, skips.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runNative } from '../../src/metrics/native.js';

const dir = mkdtempSync(join(tmpdir(), 'heaplab-native-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

test('a missing driver is skipped with a message, not an error', async () => {
  const r = await runNative('/nonexistent.trace', { footprint: false, dir: join(dir, 'none') });
  assert.equal(r.figures, []);
  assert.match(r.skipped[0]!, /the driver is not built/);
});

test('the driver gets -p for footprint touch and the trace; its JSON line becomes the figures', async () => {
  const script = join(dir, 'replay');
  writeFileSync(script, '#!/bin/sh\nif [ "$1" = "-p" ]; then fp=8192; else fp=4096; fi\necho "loading"\necho "{\\"events\\": 3, \\"ns_per_event\\": 12.5, \\"footprint_bytes\\": $fp}"\n');
  chmodSync(script, 0o755);
  const speed = await runNative('t.trace', { footprint: false, dir });
  assert.equal(speed.figures[0], { name: 'glibc', nsPerEvent: 12.5, runsNsPerEvent: [12.5], footprint: 4096 });
  const fp = await runNative('t.trace', { footprint: true, dir });
  assert.is(fp.figures[0]!.footprint, 8192);
  assert.ok(fp.skipped.some((s) => s.startsWith('musl skipped')));
});

test('output that is not the JSON line is an error naming the driver', async () => {
  const script = join(dir, 'replay');
  writeFileSync(script, '#!/bin/sh\necho "oops"\n');
  chmodSync(script, 0o755);
  try {
    await runNative('t.trace', { footprint: false, dir });
    assert.unreachable('no error');
  } catch (e) {
    assert.is((e as Error).message, 'native driver (glibc): expected a JSON line on standard output, got "oops"');
  }
});

test.run();
