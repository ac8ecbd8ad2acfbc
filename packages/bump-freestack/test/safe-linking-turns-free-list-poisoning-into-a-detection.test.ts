/*
 * Safe-linking (option safeLinking): the attack kit's free-list poisoning reaches its goal (malloc
 * returns an address in the program's own page) with the option off, and is stopped by
 * `corrupted-link` with it on; the detection comes before anything changes, the links on the
 * stacks are stored mangled, and a heap made with the option tells an attaching worker.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createAddressSpace } from '@heaplab/core';
import { freeListPoisoning, raisedCode, runAttack } from '@heaplab/core/testing';
import { attachBumpFreestackAllocator, createBumpFreestackAllocator, type BumpFreestackOptions } from '../src/index.js';

const make = (o: Partial<BumpFreestackOptions>) => (space: ReturnType<typeof createAddressSpace>) => createBumpFreestackAllocator(space, o);

test('free-list poisoning is achieved without safe-linking: malloc returns the forged address', () => {
  const o = runAttack(freeListPoisoning, make({}));
  assert.is(o.result, 'achieved', o.detail);
  if (o.result === 'achieved') assert.is(o.primitive, 'chosen address returned');
});

test('free-list poisoning is detected with safe-linking, as corrupted-link', () => {
  for (const options of [{ safeLinking: true }, { safeLinking: true, fifo: true }, { safeLinking: true, cacheBlocks: 0 }]) {
    const o = runAttack(freeListPoisoning, make(options));
    assert.is(o.result, 'detected', `${JSON.stringify(options)}: ${o.detail}`);
    if (o.result === 'detected') assert.is(o.by, 'corrupted-link');
  }
});

test('with safe-linking a poisoned link is reported before the heap changes', () => {
  for (const backing of ['array', 'shared'] as const) {
    for (const fifo of [false, true]) {
      const space = createAddressSpace({ size: 16 * 2 ** 20, backing });
      const a = createBumpFreestackAllocator(space, { safeLinking: true, cacheBlocks: 0, fifo });
      const x = a.malloc(32);
      const y = a.malloc(32);
      const z = a.malloc(32);
      a.free(x);
      a.free(y); // stack: y → x; queue: x → y
      const first = fifo ? x : y;
      space.store32(first, z); // the link now names z, a live block of the class, written raw
      const figures = (): string => {
        const st = a.stats();
        return JSON.stringify([st.liveBlocks, st.liveBytes, st.usableBytes, space.stats()]);
      };
      const before = figures();
      assert.is(raisedCode(() => a.malloc(32)), 'corrupted-link', `${backing}, fifo ${fifo}`);
      assert.is(figures(), before, `${backing}, fifo ${fifo}: nothing changed`);
      assert.is(raisedCode(() => a.malloc(32)), 'corrupted-link', `${backing}, fifo ${fifo}: the list still holds the damaged link`);
    }
  }
});

test('with safe-linking the link of a stacked block is stored mangled with its own address', () => {
  const space = createAddressSpace({ size: 16 * 2 ** 20 });
  const plain = createBumpFreestackAllocator(space, { cacheBlocks: 0 });
  const space2 = createAddressSpace({ size: 16 * 2 ** 20 });
  const safe = createBumpFreestackAllocator(space2, { cacheBlocks: 0, safeLinking: true });
  for (const [a, s] of [[plain, space], [safe, space2]] as const) {
    const x = a.malloc(32);
    const y = a.malloc(32);
    a.free(x);
    a.free(y);
    const stored = s.load32(y);
    if (a === plain) assert.is(stored, x);
    else assert.is(stored, ((y >>> 12) ^ x) >>> 0);
    a.check();
  }
});

test('an attaching worker reads the safe-linking setting from the heap', () => {
  const space = createAddressSpace({ size: 16 * 2 ** 20, backing: 'shared' });
  const a = createBumpFreestackAllocator(space, { safeLinking: true });
  const b = attachBumpFreestackAllocator(space, a.heapAddress);
  assert.is(b.options.safeLinking, true);
});

test.run();
