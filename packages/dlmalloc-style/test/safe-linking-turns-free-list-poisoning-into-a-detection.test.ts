/*
 * Safe-linking (option safeLinking): the attack kit's free-list poisoning (tcache) and unsafe
 * unlink (bins) reach their goals with the option off and are stopped by `corrupted-link` with it
 * on, under every placement policy that has the lists; the detection comes before anything
 * changes, and tcache links are stored mangled with their own address.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createAddressSpace, type AddressSpace } from '@heaplab/core';
import { freeListPoisoning, raisedCode, runAttack, unsafeUnlink } from '@heaplab/core/testing';
import { createDlmallocAllocator, type DlmallocOptions } from '../src/index.js';

const make = (o: Partial<DlmallocOptions>) => (space: AddressSpace) => createDlmallocAllocator(space, o);

test('free-list poisoning is achieved without safe-linking and detected with it', () => {
  const off = runAttack(freeListPoisoning, make({}));
  assert.is(off.result, 'achieved', off.detail);
  if (off.result === 'achieved') assert.is(off.primitive, 'chosen address returned');
  const on = runAttack(freeListPoisoning, make({ safeLinking: true }));
  assert.is(on.result, 'detected', on.detail);
  if (on.result === 'detected') assert.is(on.by, 'corrupted-link');
});

test('unsafe unlink writes a chosen address without safe-linking and is detected with it, under every policy', () => {
  for (const policy of ['best-fit', 'first-fit', 'next-fit'] as const) {
    const off = runAttack(unsafeUnlink, make({ policy }));
    assert.is(off.result, 'achieved', `${policy}: ${off.detail}`);
    if (off.result === 'achieved') assert.is(off.primitive, 'chosen address written');
    const on = runAttack(unsafeUnlink, make({ policy, safeLinking: true }));
    assert.is(on.result, 'detected', `${policy}: ${on.detail}`);
    if (on.result === 'detected') assert.is(on.by, 'corrupted-link');
  }
});

test('a poisoned tcache link is reported before the heap changes', () => {
  const space = createAddressSpace({ size: 16 * 2 ** 20 });
  const a = createDlmallocAllocator(space, { safeLinking: true });
  const x = a.malloc(32);
  const y = a.malloc(32);
  a.malloc(32);
  a.free(x);
  a.free(y); // tcache: y → x
  space.store32(y - 8, x - 16 + 0x40); // y's link, written raw
  const figures = (): string => {
    const s = a.stats();
    return JSON.stringify([s.liveBlocks, s.liveBytes, s.usableBytes, space.stats()]);
  };
  const before = figures();
  assert.is(raisedCode(() => a.malloc(32)), 'corrupted-link');
  assert.is(figures(), before);
});

test('a free whose neighbour has forged bin links is reported before the heap changes', () => {
  const space = createAddressSpace({ size: 16 * 2 ** 20 });
  const a = createDlmallocAllocator(space, { safeLinking: true });
  const p = a.malloc(1200);
  const b = a.malloc(1200);
  a.malloc(64);
  a.free(b); // b in a bin, after p
  space.store32(b - 8, 0x1000);
  const figures = (): string => {
    const s = a.stats();
    return JSON.stringify([s.liveBlocks, s.liveBytes, s.usableBytes, space.stats()]);
  };
  const before = figures();
  assert.is(raisedCode(() => a.free(p)), 'corrupted-link');
  assert.is(figures(), before);
  assert.is(a.usableSize(p) >= 1200, true, 'p is still live');
});

test('with safe-linking a tcache link is stored mangled with its own address', () => {
  const space = createAddressSpace({ size: 16 * 2 ** 20 });
  const a = createDlmallocAllocator(space, { safeLinking: true });
  const x = a.malloc(32);
  const y = a.malloc(32);
  a.free(x);
  a.free(y);
  assert.is(space.load32(y - 8), (((y - 8) >>> 12) ^ (x - 16)) >>> 0);
  assert.is(a.malloc(32), y);
  assert.is(a.malloc(32), x);
  a.check();
});

test.run();
