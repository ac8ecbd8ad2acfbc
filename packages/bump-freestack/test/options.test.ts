/*
 * Options are validated by name before anything is mapped; attach finds the heap by its handle
 * or by its magic word; the heap's header carries the options so an attacher gets the same classes.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ConfigError, createAddressSpace } from '@heaplab/core';
import { attachBumpFreestackAllocator, createBumpFreestackAllocator, type BumpFreestackOptions } from '../src/index.js';

const space = (): ReturnType<typeof createAddressSpace> => createAddressSpace({ size: 32 * 2 ** 20 });

test('bad options are rejected with the key named', () => {
  const bad: [Partial<BumpFreestackOptions>, RegExp][] = [
    [{ largestClass: 1000 }, /largestClass/],
    [{ classesPerDoubling: 3 }, /classesPerDoubling/],
    [{ runBytes: 5000 }, /runBytes/],
    [{ growBytes: 0 }, /growBytes/],
    [{ cacheBlocks: 3 }, /cacheBlocks/],
    [{ fifo: 'yes' as unknown as boolean }, /fifo/],
    [{ safeLinking: 1 as unknown as boolean }, /safeLinking/],
    [{ maxWorkers: 0 }, /maxWorkers/],
    [{ nonsense: 1 } as unknown as Partial<BumpFreestackOptions>, /nonsense/],
  ];
  for (const [o, re] of bad) {
    const s = space();
    try {
      createBumpFreestackAllocator(s, o);
      assert.unreachable(`accepted ${JSON.stringify(o)}`);
    } catch (e) {
      assert.instance(e, ConfigError);
      assert.match((e as Error).message, re);
    }
    assert.is(s.mappings().length, 0, 'nothing was mapped');
  }
});

test('a second handle attaches by address or by search, shares the heap and reads its options', () => {
  const s = space();
  const a = createBumpFreestackAllocator(s, { classesPerDoubling: 2, fifo: true });
  const b = attachBumpFreestackAllocator(s, a.heapAddress);
  const c = attachBumpFreestackAllocator(s);
  assert.equal(b.options, a.options);
  assert.is(c.slot, 2);
  const p = a.malloc(100);
  assert.is(b.usableSize(p), a.usableSize(p));
  b.free(p); // a block another handle allocated
  assert.is(a.stats().liveBlocks, 0);
  assert.throws(() => attachBumpFreestackAllocator(s, a.heapAddress + 4096), /no bump-freestack heap/);
  c.detach();
  assert.is(attachBumpFreestackAllocator(s).slot, 2, 'a detached slot is reused');
  a.check();
});

test('all worker slots taken is an error naming the option', () => {
  const s = space();
  createBumpFreestackAllocator(s, { maxWorkers: 2 });
  attachBumpFreestackAllocator(s);
  assert.throws(() => attachBumpFreestackAllocator(s), /maxWorkers/);
});

test.run();
