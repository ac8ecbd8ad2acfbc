/*
 * Addresses above 2^31 in a 4 GiB shared space: a mapping placed right above the program break
 * stops sbrk, so the heap continues in mmap chunks, which the space places top-down near 4 GiB.
 * Blocks there are allocated, tagged, freed through the local caches and the shared stacks, found
 * by blockAt, and double frees are still caught; the census still balances.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { AllocatorError, MAP_FIXED_NOREPLACE, PROT_READ, PROT_WRITE, createAddressSpace, createIdentity } from '@heaplab/core';
import { createBumpFreestackAllocator } from '../src/index.js';

test('blocks above 2^31 come from mmap chunks when the break cannot grow, and behave', () => {
  const space = createAddressSpace({ size: 2 ** 32, backing: 'shared' });
  const blocker = createIdentity({ name: 'blocker', family: 'program', description: 'a mapping right above the break' });
  const brk = Math.ceil(space.currentBrk / space.pageSize) * space.pageSize;
  space.mmap(brk, space.pageSize, PROT_READ | PROT_WRITE, MAP_FIXED_NOREPLACE, blocker);
  const a = createBumpFreestackAllocator(space);
  const ps: number[] = [];
  for (let i = 0; i < 20_000; i++) {
    const size = 8 + ((i * 37) % 3000);
    const p = a.malloc(size);
    assert.ok(p > 2 ** 31, `block ${p.toString(16)} is not above 2^31`);
    space.u8.fill(i & 255, p, p + size);
    ps.push(p, size);
  }
  a.check();
  for (let k = 0; k < ps.length; k += 2) {
    const p = ps[k]!;
    const size = ps[k + 1]!;
    assert.equal(a.blockAt(p + size - 1), { base: p, size: a.usableSize(p) });
    for (const off of [0, size - 1]) assert.is(space.u8[p + off], (k / 2) & 255, `block ${p.toString(16)} byte ${off}`);
  }
  for (let k = 0; k < ps.length; k += 2) a.free(ps[k]!, ps[k + 1]);
  const c = a.census();
  assert.is(c.liveBlocks, 0);
  assert.ok(c.listedBlocks > 0, 'blocks went through the shared stacks');
  try {
    a.free(ps[0]!);
    assert.unreachable('double free not detected');
  } catch (e) {
    assert.instance(e, AllocatorError);
    assert.is((e as AllocatorError).code, 'double-free');
  }
  // Stack order: the block freed last comes back first, at its high address.
  const lastPtr = ps[ps.length - 2]!;
  assert.is(a.malloc(ps[ps.length - 1]!), lastPtr);
  a.check();
});

test.run();
