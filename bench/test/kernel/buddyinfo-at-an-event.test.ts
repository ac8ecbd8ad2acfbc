// heaplab maps --buddyinfo and replay print the page frames of the kernel-family allocators (buddy, kmalloc, vmalloc).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createAddressSpace } from '@heaplab/core';
import { runCli } from '../helpers/run-cli.js';
import { allocatorFactory } from '../../src/allocators.js';
import { formatPhysical, isKernelFamily, physicalOf } from '../../src/kernel-physical.js';

test('the kernel family is registered and has physical memory; the user-space allocators have none', () => {
  for (const name of ['buddy', 'kmalloc', 'vmalloc']) assert.ok(isKernelFamily(name), name);
  assert.not.ok(isKernelFamily('dlmalloc-style'));
  const space = createAddressSpace({ size: 64 * 2 ** 20 });
  assert.is(physicalOf(allocatorFactory('dlmalloc-style')(space)), null);
  const b = allocatorFactory('buddy')(createAddressSpace({ size: 64 * 2 ** 20 }));
  b.malloc(5000);
  const p = physicalOf(b)!;
  assert.is(p.framesInUse, 2, 'a 5000-byte request takes an order-1 block');
  const lines = formatPhysical('buddy#1', p);
  assert.match(lines[0]!, /2 frames in use \(peak 2\)/);
  assert.match(lines[2]!, /^ {2}Node 0, zone {3}Normal +0 +1 +1 +1/);
});

test('maps --buddyinfo prints the free lists per order at the chosen event, and refuses an allocator without frames', async () => {
  const r = await runCli(['maps', '-a', 'buddy', '-w', 'churn', '--ops', '3000', '--at', '2000', '--buddyinfo', '--space-mib', '256']);
  assert.is(r.code, 0, r.err);
  assert.match(r.out, /^after 2000 events of churn/);
  assert.match(r.out, /physical memory of buddy#\d+ \(its own pool: 16384 frames of 4 KiB\): \d+ frames in use/);
  assert.match(r.out, /Node 0, zone +Normal( +\d+){11}\n/);
  assert.not.match(r.out, /rw-p/, 'the free lists instead of the mappings');
  const j = await runCli(['maps', '-a', 'kmalloc', '-w', 'churn', '--ops', '3000', '--at', '2000', '--buddyinfo', '--json', '--space-mib', '256']);
  assert.is(j.code, 0, j.err);
  const out = JSON.parse(j.out) as { physical: { buddyinfo: number[]; totalFrames: number; framesFree: number } };
  assert.is(out.physical.buddyinfo.length, 11);
  assert.is(out.physical.buddyinfo.reduce((s, n, k) => s + n * 2 ** k, 0), out.physical.framesFree);
  const bad = await runCli(['maps', '-a', 'dlmalloc-style', '-w', 'churn', '--ops', '100', '--buddyinfo']);
  assert.is(bad.code, 2);
  assert.match(bad.err, /no physical memory/);
});

test('maps --buddyinfo --every prints one buddyinfo line every N events, the last at --at', async () => {
  const r = await runCli(['maps', '-a', 'vmalloc', '-w', 'churn', '--ops', '3000', '--at', '2500', '--buddyinfo', '--every', '1000', '--space-mib', '256']);
  assert.is(r.code, 0, r.err);
  const rows = r.out.split('\n').filter((l) => /^ +\d+ +\d+ +-?\d+ +\d\.\d{3} /.test(l));
  assert.equal(rows.map((l) => Number(l.trim().split(/ +/)[0])), [1000, 2000, 2500]);
  const j = await runCli(['maps', '-a', 'kmalloc', '-w', 'churn', '--ops', '3000', '--buddyinfo', '--every', '1500', '--json', '--space-mib', '256']);
  assert.is(j.code, 0, j.err);
  const out = JSON.parse(j.out) as { samples: Array<{ event: number; physical: { framesInUse: number; buddyinfo: number[]; framesFree: number } }> };
  assert.equal(out.samples.map((s) => s.event), [1500, 3000]);
  for (const s of out.samples) assert.is(s.physical.buddyinfo.reduce((t, n, k) => t + n * 2 ** k, 0), s.physical.framesFree);
  const bad = await runCli(['maps', '-a', 'kmalloc', '-w', 'churn', '--ops', '100', '--every', '10']);
  assert.is(bad.code, 2);
  assert.match(bad.err, /only with --buddyinfo/);
});

test('replay prints each kernel allocator\'s frames in use and buddyinfo after the last event', async () => {
  const r = await runCli(['replay', '-w', 'churn', '--ops', '3000', '-a', 'kmalloc,dlmalloc-style', '--no-ledger']);
  assert.is(r.code, 0, r.err);
  assert.match(r.out, /physical memory of kmalloc#\d+ .*frames in use \(peak \d+\)/);
  assert.match(r.out, /Node 0, zone +Normal/);
  assert.not.match(r.out, /physical memory of dlmalloc/);
});

test.run();
