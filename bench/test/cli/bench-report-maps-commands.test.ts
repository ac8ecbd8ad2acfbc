import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/run-cli.js';
import type { Comparison } from '../../src/report/compare.js';

const dir = mkdtempSync(join(tmpdir(), 'heaplab-bench-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

test('bench prints the tables and writes results.json, report.md and report.html', async () => {
  const r = await runCli(['bench', '-a', 'bump-freestack,thing-malloc', '-w', 'lifo,histogram', '--ops', '12000', '--repeat', '1', '--no-native', '--no-traces', '--out', dir]);
  assert.is(r.code, 0, r.err);
  assert.match(r.out, /Time per event, ns \(median \(min–max\) of 1 runs, speed touch\)/);
  assert.match(r.out, /Time per event ÷ @thi\.ng\/malloc/);
  assert.match(r.out, /M4 = peak used \/ peak live/);
  assert.match(r.out, /│ lifo +│/);
  for (const f of ['results.json', 'report.md', 'report.html']) assert.ok(existsSync(join(dir, f)), f);
  const c = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as Comparison;
  assert.equal(c.sources.map((s) => s.name), ['lifo', 'histogram']);
  assert.equal(c.sources[0]!.allocators.map((a) => a.name), ['bump-freestack', 'thing-malloc']);
  assert.ok(c.sources.every((s) => s.events === 12000 && s.allocators.every((a) => a.result !== null)));
});

test('report redraws the page from the saved comparison, with the heap maps at --at', async () => {
  const r = await runCli(['report', '--from', join(dir, 'results.json'), '--at', '5000']);
  assert.is(r.code, 0, r.err);
  assert.match(r.out, /report\.md, .*report\.html/);
  const html = readFileSync(join(dir, 'report.html'), 'utf8');
  assert.match(html, /bump-freestack on lifo at event 5000/);
  assert.match(html, /thing-malloc on lifo at event 5000/);
  const missing = await runCli(['report', '--from', join(dir, 'nope.json')]);
  assert.is(missing.code, 2);
  assert.match(missing.err, /does not exist: run `heaplab bench`/);
});

test('maps prints the space in /proc/<pid>/maps form at an event', async () => {
  const r = await runCli(['maps', '-a', 'dlmalloc-style', '-w', 'fifo', '--ops', '3000', '--at', '2000']);
  assert.is(r.code, 0, r.err);
  const [first, ...lines] = r.out.trim().split('\n');
  assert.match(first!, /^after 2000 events of fifo\(seed=1, ops=3000\) with dlmalloc-style#\d+: \d+ live blocks/);
  assert.ok(lines.length > 0 && lines.every((l) => /^[0-9a-f]{8}-[0-9a-f]{8,9} [r-][w-][x-]p /.test(l)), lines.join('\n'));
  assert.ok(lines.some((l) => l.includes('[heap]') || l.includes('dlmalloc-style')));
  const svg = await runCli(['maps', '-a', 'thing-malloc', '-w', 'lifo', '--ops', '2000', '--at', 'peak', '--svg', join(dir, 'map.svg')]);
  assert.is(svg.code, 0, svg.err);
  assert.match(readFileSync(join(dir, 'map.svg'), 'utf8'), /^<svg /);
});

test('unknown allocators, workloads and flags are errors listing what exists; every command has --help', async () => {
  const a = await runCli(['maps', '-a', 'nope', '-w', 'fifo']);
  assert.is(a.code, 2);
  assert.match(a.err, /unknown allocator "nope"; allocators: mmap-pages, .*thing-malloc/);
  const w = await runCli(['bench', '-w', 'fifo,nope', '--no-native']);
  assert.is(w.code, 2);
  assert.match(w.err, /unknown workload "nope"; workloads: churn, histogram, /);
  const f = await runCli(['bench', '--bogus']);
  assert.is(f.code, 2);
  assert.match(f.err, /unknown option '--bogus'/);
  assert.match(f.err, /--allocator <specs>/, 'the help after the error lists the options');
  for (const cmd of ['bench', 'report', 'maps']) {
    const h = await runCli([cmd, '--help']);
    assert.is(h.code, 0);
    assert.match(h.out, new RegExp(`^Usage: heaplab ${cmd} `));
  }
});

test.run();
