/*
 * The leak report of a replay: the blocks a trace leaves live, grouped by the trace's sites,
 * largest first; frees of ids never allocated are counted, not fatal; `--at` stops early.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { chunkSource, chunksOf, createAddressSpace, formatLeakReport, parseTrace } from '@heaplab/core';
import { createMmapPagesAllocator } from '@heaplab/mmap-pages';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { replayLeaks, replayTo } from '../../src/step-replay.js';
import { runCli } from '../helpers/run-cli.js';

const TRACE = `# heaplab-trace v1 demo
a 10 100 0x4005d6
a 20 200 0x4005d6
a 30 5000 parse
c 40 64
m 50 300 64 0x400700
r 60 30 6000 grow
f 20
f 99
a 70 10 0x4005d6
r 0 50 0
`;

test('live blocks at the end, grouped by site, largest first', async () => {
  const source = chunkSource('demo', parseTrace(TRACE).chunks);
  const rows = await replayLeaks(source, createMmapPagesAllocator(createAddressSpace({ size: 64 * 2 ** 20 })));
  assert.equal(rows.map((r) => [r.site, r.count, r.bytes]), [['grow', 1, 6000], ['0x4005d6', 2, 110], [null, 1, 64]]);
  assert.match(formatLeakReport(rows), /^4 live blocks, 6174 bytes, from 3 sites:\n/);
});

test('stopping before an event, and counting frees of unknown ids', async () => {
  const source = chunkSource('demo', chunksOf([
    { kind: 'a', id: 1, arg: 0, size: 8, site: 's' },
    { kind: 'f', id: 7, arg: 0, size: 0, site: null },
    { kind: 'a', id: 2, arg: 0, size: 8, site: 's' },
  ]));
  const space = createAddressSpace({ size: 64 * 2 ** 20 });
  const r = await replayTo(source, createMmapPagesAllocator(space), 2);
  assert.is(r.events, 2);
  assert.is(r.live.size, 1);
  assert.is(r.unknownIds, 1);
});

test('heaplab replay --leaks prints the report after the figures, and in JSON', async () => {
  const file = join(mkdtempSync(join(tmpdir(), 'heaplab-leaks-')), 'demo.trace');
  writeFileSync(file, TRACE);
  const r = await runCli(['replay', file, '--allocator', 'mmap-pages', '--leaks', '--space-mib', '64']);
  assert.is(r.code, 0, r.err);
  assert.match(r.out, /\nleaks of mmap-pages: 4 live blocks, 6174 bytes, from 3 sites:\n +bytes +blocks +largest +site\n +6000 +1 +6000 +grow e\.g\. 0x[0-9a-f]+\n +110 +2 +100 +0x4005d6 e\.g\. 0x[0-9a-f]+\n +64 +1 +64 +\(no site\)/);
  const j = await runCli(['replay', file, '--allocator', 'mmap-pages', '--leaks', '--json', '--space-mib', '64']);
  const leaks = (JSON.parse(j.out) as { leaks: Record<string, { site: string | null; bytes: number }[]> }).leaks;
  assert.equal(leaks['mmap-pages']!.map((x) => [x.site, x.bytes]), [['grow', 6000], ['0x4005d6', 110], [null, 64]]);
});

test.run();
