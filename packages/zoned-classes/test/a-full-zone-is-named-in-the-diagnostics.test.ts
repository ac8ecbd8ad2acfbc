/*
 * When a class's zone runs out in a small space, malloc still returns 0 (out of memory is not an
 * error) and stats().diagnostics names the class, its slot size and the zone's size; nothing is
 * said while every zone has room. The replay carries the same lines (RunFigures.diagnostics).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createAddressSpace, replay, parseTrace, chunkSource } from '@heaplab/core';
import { createZonedAllocator } from '../src/index.js';

test('a full zone gives 0 and one diagnostic line naming the class and the zone size', () => {
  const a = createZonedAllocator(createAddressSpace({ size: 64 * 2 ** 20 }), { preset: 'light' });
  assert.equal(a.stats().diagnostics, []);
  let failed = 0;
  for (let k = 0; k < 200000 && failed < 3; k++) if (a.malloc(40) === 0) failed++;
  assert.is(failed, 3);
  const d = a.stats().diagnostics!;
  assert.is(d.length, 1);
  assert.match(d[0]!, new RegExp(`class \\d+ \\(48-byte slots\\) ran out: ${(a.zoneBytes / 2 ** 20).toFixed(1)} MiB zone, \\d+ slots .*; 3 requests failed`));
  assert.is(a.malloc(4000) !== 0, true, 'other classes still have room');
});

test('a replay whose zone runs out reports the diagnostic in its figures', async () => {
  const lines = ['# heaplab-trace v1 fill'];
  for (let i = 1; i <= 400000; i++) lines.push(`a ${i} 40`);
  const { chunks } = parseTrace(lines.join('\n') + '\n');
  const r = await replay({ source: chunkSource('fill', chunks), allocator: (s) => createZonedAllocator(s, { preset: 'light' }), space: { size: 64 * 2 ** 20 } });
  assert.ok(r.failures > 0);
  assert.match(r.diagnostics?.[0] ?? '', /\(48-byte slots\) ran out/);
});

test.run();
