/*
 * heaplab list, config and who: the registry with instance identities (the custom first-fit
 * example from heaplab.config.json among them), the merged configuration with sources, and
 * ownership at an event of a run.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { runCli } from '../helpers/run-cli.js';

test('list shows every allocator and wrapper with an instance identity, the custom example included', async () => {
  const r = await runCli(['list']);
  assert.is(r.code, 0, r.err);
  for (const name of ['mmap-pages', 'bump-freestack', 'zoned-classes', 'dlmalloc-style', 'first-fit', 'tracing', 'checking', 'stats', 'locked']) {
    assert.match(r.out, new RegExp(`^[* ] ${name}  \\[`, 'm'), `${name} listed`);
  }
  assert.match(r.out, /first-fit {2}\[free-list\] {2}from .*examples\/first-fit\/first-fit\.ts/);
  assert.match(r.out, /instance first-fit#\d+ \(id \d+, family free-list\): owns 1 mapping\n {6}[0-9a-f]{8}-[0-9a-f]{8} rw-p 00000000 00:00 0 +\[heap\] first-fit#\d+/);
  assert.match(r.out, /instance locked#\d+ \(id \d+, family wrapper\): owns 1 mapping/);
  const j = await runCli(['list', '--json']);
  const rows = JSON.parse(j.out) as { name: string; kind: string; instance: { label: string; parameters: Record<string, unknown> } | null }[];
  const mp = rows.find((x) => x.name === 'mmap-pages')!;
  assert.is(mp.kind, 'allocator');
  assert.equal(mp.instance!.parameters, { guardPage: false, freeHistory: 1024 });
});

test('config prints each value with its source and variable', async () => {
  const r = await runCli(['config']);
  assert.is(r.code, 0, r.err);
  assert.match(r.out, /^configuration file: .*heaplab\.config\.json$/m);
  assert.match(r.out, /^allocators\.first-fit\.module +=.*examples\/first-fit\/first-fit\.ts +.*heaplab\.config\.json:3 +HEAPLAB_ALLOCATORS__FIRST_FIT__MODULE$/m);
  assert.match(r.out, /^space\.pageSize += 4096 +default +HEAPLAB_SPACE__PAGE_SIZE$/m);
  assert.match(r.out, /^allocators\.dlmalloc-style\.mmapThreshold += dynamic +default +HEAPLAB_ALLOCATORS__DLMALLOC_STYLE__MMAP_THRESHOLD$/m);
});

test('config says where each tool setting takes effect, and --json gives each entry its effect', async () => {
  const r = await runCli(['config']);
  assert.is(r.code, 0, r.err);
  const legend = r.out.slice(r.out.indexOf('\nwhere each setting takes effect:\n'));
  for (const key of ['default', 'space.size', 'space.pageSize', 'space.backing', 'fuzz.runs', 'fuzz.seed', 'bench.operations', 'bench.repeats', 'bench.seed', 'wrappers']) {
    assert.match(legend, new RegExp(`^  ${key.replace('.', '\\.')} +\\S`, 'm'), key);
  }
  assert.match(legend, /^ {2}fuzz\.seed +seed of the conformance kit and of heaplab fuzz's first round \(--seed wins; unset: fuzz draws one\)$/m);
  const j = JSON.parse((await runCli(['config', '--json'])).out) as { entries: { path: string; effect: string }[] };
  assert.match(j.entries.find((e) => e.path === 'bench.repeats')!.effect, /timed runs per allocator and source in heaplab bench/);
  assert.match(j.entries.find((e) => e.path === 'allocators.first-fit.growBy')!.effect, /a parameter of every first-fit made by name/);
});

test('who answers for an address at an event of a workload run', async () => {
  // In a 256 MiB space the heap segment starts at 0x3b000 (after the space's header).
  const r = await runCli(['who', '0x0003c010', '--allocator', 'first-fit', '--workload', 'churn', '--at', '500', '--space-mib', '256']);
  assert.is(r.code, 0, r.err);
  assert.match(r.out, /^after 500 events of churn\(seed=1, ops=500\) with first-fit \(500 live blocks\):\n0x3c010: \d+ bytes into block 0x[0-9a-f]+ \(\d+ bytes\), owned by first-fit#\d+ < tracing#\d+\n$/);
  const u = await runCli(['who', '0x1000', '-a', 'mmap-pages', '-w', 'churn', '--at', '10', '--space-mib', '64']);
  assert.is(u.out.split('\n')[1], '0x1000: unmapped');
  const bad = await runCli(['who', 'zz', '-a', 'mmap-pages', '-w', 'churn']);
  assert.is(bad.code, 2);
  assert.match(bad.err, /<address>: expected an address/);
});

test('a bad configuration stops the command with its message (exit 1), help still works', () => {
  const main = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
  const env = { ...process.env, HEAPLAB_FUZZ__RUNS: 'many' };
  const r = spawnSync(process.execPath, ['--import', 'tsx', main, 'config'], { env, encoding: 'utf8' });
  assert.is(r.status, 1);
  assert.is(r.stderr, 'heaplab: environment variable HEAPLAB_FUZZ__RUNS: fuzz.runs: expected a number, got "many"\n');
  const h = spawnSync(process.execPath, ['--import', 'tsx', main, '--help'], { env, encoding: 'utf8' });
  assert.is(h.status, 0);
  assert.match(h.stdout, /who \[options\] <address> \[file\]/);
});

test.run();
