import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nativeDriverBuilt } from '../../src/metrics/native.js';
import { runCli } from '../helpers/run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'heaplab-replay-cmd-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

test('replay of a trace file prints the table of figures', async () => {
  writeFileSync(join(dir, 't.trace'), '# heaplab-trace v1 demo\na 10 100\na 20 5000\nf 10\nf 99\n');
  const r = await runCli(['replay', '-a', 'mmap-pages', join(dir, 't.trace'), '--space-mib', '64']);
  assert.is(r.code, 0, r.err);
  for (const row of ['time per event, ns: median (min–max) of 1 run', 'peak live', 'M1 mean used / live', 'M2 used / live at peak live', 'M3 used / live at peak used', 'M4 peak used / peak live', 'internal fragmentation', 'syscalls brk/mmap/munmap/mprotect/madvise', 'failed requests']) {
    assert.ok(r.out.includes(row), row);
  }
  assert.match(r.out, /│ peak live\s+│ 4\.98 KiB\s+│/);
  assert.match(r.out, /0\/2\/1\/0\/0/);
  assert.match(r.out, /1 events on ids never allocated/);
  assert.match(r.out, /event 3 \(line 5\): f 99/);
  assert.match(r.out, /time: one run, so its spread is unknown \(marked noisy\)/);
  assert.match(r.out, /\(1 run\)/);
});

test('replay with --runs shows each time with its spread and appends a record to the ledger', async () => {
  const ledger = join(dir, 'ledger.jsonl');
  const r = await runCli(['replay', '-a', 'bump-freestack,dlmalloc-style:policy=first-fit', '--workload', 'lifo', '--ops', '3000', '--runs', '3', '--space-mib', '256', '--ledger', ledger]);
  assert.is(r.code, 0, r.err);
  assert.match(r.out, /time per event, ns: median \(min–max\) of 3 runs/);
  assert.match(r.out, /│ [\d.,]+ \([\d.,]+–[\d.,]+\)( noisy)?\s+│/);
  assert.ok(!r.out.includes('marked noisy): --runs 5'), 'the one-run note only for one run');
  const id = /record (\S+) in /.exec(r.out)?.[1];
  assert.ok(id, r.out);
  const show = await runCli(['lab', 'show', id!, '--ledger', ledger]);
  assert.is(show.code, 0, show.err);
  assert.match(show.out, /allocator dlmalloc-style:policy=first-fit: \{"policy":"first-fit"/);
  const list = await runCli(['lab', 'list', '--ledger', ledger]);
  assert.match(list.out, new RegExp(`^${id}  replay  1 source  bump-freestack,dlmalloc-style:policy=first-fit  3 runs`));
});

test('replay --json of a workload gives the figures of every allocator run and repeat', async () => {
  const r = await runCli(['replay', '-a', 'mmap-pages', '--workload', 'churn', '--ops', '3000', '--repeat', '3', '--json', '--space-mib', '256', '--footprint']);
  assert.is(r.code, 0, r.err);
  const j = JSON.parse(r.out);
  assert.is(j.source, 'churn(seed=1, ops=3000)');
  assert.is(j.touch, 'footprint');
  const m = j.heaplab[0];
  assert.is(m.allocatorName, 'mmap-pages');
  assert.is(m.replayed, 3000);
  assert.is(m.counts.malloc, 3000);
  assert.is(m.runsNsPerEvent.length, 3);
  assert.is(m.series, null);
  // mmap-pages: a page-rounded mapping per block, so used ≥ live and every block is a mapping.
  assert.ok(m.m4 >= 1 && m.m1 >= 1 && m.m2 >= 1 && m.m3 >= 1, JSON.stringify([m.m1, m.m2, m.m3, m.m4]));
  assert.is(m.syscalls.mmap, 3000);
  assert.equal(j.native, []);
});

test('replay needs a file or a workload, and names unknown allocators', async () => {
  const none = await runCli(['replay', '-a', 'mmap-pages']);
  assert.is(none.code, 2);
  assert.is(none.err, 'heaplab: replay: give either a trace FILE or --workload NAME\n');
  const bad = await runCli(['replay', '-a', 'nope', '--workload', 'churn']);
  assert.is(bad.code, 2);
  assert.match(bad.err, /^heaplab: unknown allocator "nope"; allocators: mmap-pages.*, thing-malloc\n$/);
});

test('replay runs the @thi.ng/malloc adapter by name beside the registered allocators', async () => {
  const r = await runCli(['replay', '-a', 'thing-malloc,mmap-pages', '--workload', 'churn', '--ops', '500', '--json', '--space-mib', '256']);
  assert.is(r.code, 0, r.err);
  const j = JSON.parse(r.out);
  assert.equal(j.heaplab.map((m: { allocatorName: string }) => m.allocatorName), ['thing-malloc', 'mmap-pages']);
  assert.is(j.heaplab[0].replayed, 500);
  assert.is(j.heaplab[0].failures, 0);
});

test('replay --native runs the native driver on the same events (or says it is not built), binary traces included', async () => {
  const { writeTrace, chunksOf } = await import('@heaplab/core');
  const events = [
    { kind: 'a' as const, id: 0x10, arg: 0, size: 100, site: null },
    { kind: 'a' as const, id: 0x20, arg: 0, size: 9000, site: null },
    { kind: 'r' as const, id: 0x30, arg: 0x10, size: 300, site: null },
    { kind: 'f' as const, id: 0x20, arg: 0, size: 0, site: null },
  ];
  await writeTrace(join(dir, 'n.hltb'), chunksOf(events, 'native-test'), { program: 'native-test' });
  const r = await runCli(['replay', '-a', 'mmap-pages', join(dir, 'n.hltb'), '--native', '--json', '--space-mib', '64']);
  assert.is(r.code, 0, r.err);
  const j = JSON.parse(r.out);
  assert.is(j.heaplab[0].replayed, 4);
  if (!nativeDriverBuilt()) {
    assert.equal(j.native, []);
    assert.match(j.nativeSkipped[0], /the driver is not built/);
    return;
  }
  const glibc = j.native.find((n: { name: string }) => n.name === 'glibc');
  assert.ok(glibc, JSON.stringify(j.native));
  assert.is(glibc.replayed, 4);
  assert.is(glibc.failures, 0);
  assert.ok(glibc.nsPerEvent > 0 && glibc.footprint >= 0);
});

test('replay --floor times the do-nothing replay on both sides and each allocator above it', async () => {
  writeFileSync(join(dir, 'f.trace'), '# heaplab-trace v1 floor\na 1 100\na 2 3000\nr 3 1 200\nc 4 64\nf 2\nf 3\n');
  const r = await runCli(['replay', '-a', 'mmap-pages', join(dir, 'f.trace'), '--native', '--floor', '--repeat', '2', '--space-mib', '64']);
  assert.is(r.code, 0, r.err);
  assert.match(r.out, /│ ring-bump\s+│/);
  const alone = await runCli(['replay', '-a', 'mmap-pages', join(dir, 'f.trace'), '--floor', '--space-mib', '64']);
  assert.is(alone.code, 0, alone.err);
  assert.match(alone.out, /floor: only the engine's \(ring-bump\); with --native/);
  assert.not.match(alone.out, /│ time above its floor ÷ glibc's/);
  if (!nativeDriverBuilt()) {
    assert.match(r.out, /native: the driver is not built/);
    assert.not.match(r.out, /time above its floor/, 'no row without the driver\'s floor');
    return;
  }
  assert.match(r.out, /│ floor \(native\)\s+│/);
  // The floors show "(floor)" in the row; every other column a ratio.
  const row = r.out.split('\n').find((l) => l.includes("time above its floor ÷ glibc's"));
  assert.ok(row, r.out);
  const cells = row.split('│').slice(2, -1).map((c) => c.trim());
  const head = r.out.split('\n').find((l) => l.includes('ring-bump'))!.split('│').slice(2, -1).map((c) => c.trim());
  for (const [i, h] of head.entries()) {
    if (h === 'ring-bump' || h === 'floor (native)') assert.is(cells[i], '(floor)', h);
    else if (h === 'glibc (native)') assert.is(cells[i], '1.00');
    else assert.match(cells[i]!, /^-?\d+\.\d\d$/, `${h}: ${cells[i]}`);
  }
});

test('a bad option or wrapper option in an allocator spec is a usage error before anything runs', async () => {
  const bad = await runCli(['replay', '-a', 'dlmalloc-style:policy=sideways', '--workload', 'churn', '--ops', '100', '--no-ledger']);
  assert.is(bad.code, 2);
  assert.match(bad.err, /allocator "dlmalloc-style:policy=sideways": dlmalloc-style option policy: .*"best-fit"\|"first-fit"\|"next-fit"/);
  assert.is(bad.out, '', 'no run and no table');
  const wrapper = await runCli(['replay', '-a', 'bump-freestack+checking:bogus=1', '--workload', 'churn', '--ops', '100', '--no-ledger']);
  assert.is(wrapper.code, 2);
  assert.match(wrapper.err, /checking option bogus/);
});

test.run();
