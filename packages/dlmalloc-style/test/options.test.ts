// Options are validated with the option named; defaults are glibc's.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createAddressSpace } from '@heaplab/core';
import { DEFAULT_OPTIONS, binFloor, binIndex, createDlmallocAllocator } from '../src/index.js';

test('bad options are rejected with the option named', () => {
  const space = createAddressSpace({ size: 64 * 2 ** 20 });
  assert.throws(() => createDlmallocAllocator(space, { policy: 'worst-fit' as never }), /policy/);
  assert.throws(() => createDlmallocAllocator(space, { mmapThreshold: -1 }), /mmapThreshold/);
  assert.throws(() => createDlmallocAllocator(space, { mmapThreshold: 'auto' as never }), /mmapThreshold/);
  assert.throws(() => createDlmallocAllocator(space, { trimThreshold: 1.5 }), /trimThreshold/);
  assert.throws(() => createDlmallocAllocator(space, { topPad: 2 ** 31 }), /topPad/);
  assert.throws(() => createDlmallocAllocator(space, { safeLinking: 1 as never }), /safeLinking/);
  assert.throws(() => createDlmallocAllocator(space, { mmapTreshold: 5 } as never), /mmapTreshold/);
});

test('defaults are glibc\'s and the identity carries them', () => {
  assert.equal(DEFAULT_OPTIONS, { policy: 'best-fit', mmapThreshold: 'dynamic', trimThreshold: 'dynamic', topPad: 131072, tcache: 7, releaseThreshold: 65536, unmapHistory: 64, safeLinking: false });
  const a = createDlmallocAllocator(createAddressSpace({ size: 64 * 2 ** 20 }));
  assert.is(a.identity.parameters['policy'], 'best-fit');
  assert.is(a.mmapThreshold, 131072);
  assert.is(a.trimThreshold, 131072);
});

test('bins: exact below 1 KiB, eight per power of two above, floors increasing', () => {
  for (let s = 16; s < 1024; s += 16) assert.is(binIndex(s), s / 16);
  let prev = -1;
  for (let i = 1; i < 240; i++) {
    assert.is(binIndex(binFloor(i)), i, `bin ${i}`);
    assert.ok(binFloor(i) > prev);
    prev = binFloor(i);
  }
  assert.is(binIndex(2 ** 32 - 16), 239);
});

test.run();
