// check() walks chunks and bins and names the damage when a boundary tag or a bin link is broken.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createAddressSpace, HeapCorruption } from '@heaplab/core';
import { createDlmallocAllocator } from '../src/index.js';

function heapWithHole() {
  const space = createAddressSpace({ size: 64 * 2 ** 20 });
  const a = createDlmallocAllocator(space, { tcache: 0 }); // the hole is binned at once
  const x = a.malloc(100);
  const hole = a.malloc(200);
  const y = a.malloc(100);
  a.free(hole);
  a.check();
  return { space, a, x, hole, y };
}

function throwsCorruption(f: () => void, what: RegExp): void {
  try {
    f();
  } catch (e) {
    assert.instance(e, HeapCorruption);
    assert.match((e as Error).message, what);
    return;
  }
  assert.unreachable('check() passed over the damage');
}

test('a free chunk whose footer was overwritten', () => {
  const { space, a, y } = heapWithHole();
  space.u32[(y - 16) >>> 2] = 12345; // y's prev_foot is the hole's footer
  throwsCorruption(() => a.check(), /footer/);
});

test('a bin link that points elsewhere', () => {
  const { space, a, hole } = heapWithHole();
  space.u32[(hole - 16 + 12) >>> 2] = hole + 4096; // bk
  throwsCorruption(() => a.check(), /bk|bin/);
});

test('a canary overwritten by an overflow', () => {
  const { space, a, x } = heapWithHole();
  space.u8[x + a.usableSize(x)] ^= 0xff;
  throwsCorruption(() => a.check(), /canary/);
});

test('a head whose in-use bit was cleared', () => {
  const { space, a, x } = heapWithHole();
  space.u32[(x - 12) >>> 2]! &= ~2;
  throwsCorruption(() => a.check(), /PINUSE|free|footer/);
});

test("a node of first fit's lowest-address index that is not the lower of its children", () => {
  const space = createAddressSpace({ size: 64 * 2 ** 20 });
  const a = createDlmallocAllocator(space, { policy: 'first-fit' });
  const x = a.malloc(100);
  a.malloc(100);
  a.free(x); // bin of x's chunk now holds x: the index's path to the root names it
  a.check();
  const root = a.bins.lowest!.ta + 4; // node 1, the min of all (a flat space: offsets are addresses)
  assert.is(space.raw.u32(root), x - 16);
  space.raw.setU32(root, x - 16 + 4096);
  throwsCorruption(() => a.check(), /lowest-address index/);
});

test.run();
