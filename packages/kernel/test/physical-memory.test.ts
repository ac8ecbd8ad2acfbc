// Filling physical memory to out-of-memory (malloc returns 0) and recovering, for each kernel allocator.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createAddressSpace, type Allocator } from '@heaplab/core';
import { createBuddyAllocator, createKmallocAllocator, createVmallocAllocator, type BuddyAllocator, type KmallocAllocator, type VmallocAllocator } from '../src/index.js';

const MiB = 2 ** 20;
type Kernel = Allocator & { physical(): ReturnType<BuddyAllocator['physical']> };

const makers: Record<string, (physicalMib: number) => Kernel> = {
  buddy: (m) => createBuddyAllocator(createAddressSpace({ size: 256 * MiB }), { physicalMib: m }),
  kmalloc: (m) => createKmallocAllocator(createAddressSpace({ size: 256 * MiB }), { physicalMib: m }),
  vmalloc: (m) => createVmallocAllocator(createAddressSpace({ size: 256 * MiB }), { physicalMib: m }),
};

for (const [name, make] of Object.entries(makers)) {
  test(`${name}: filling physical memory ends in malloc returning 0, and freeing everything merges the frames back to whole order-10 blocks`, () => {
    const a = make(8);
    const before = a.physical();
    assert.equal(before.buddyinfo, [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2], 'an 8 MiB pool is two 4 MiB blocks');
    for (const size of [3000, 100, 20_000]) {
      const ps: number[] = [];
      for (;;) {
        const p = a.malloc(size);
        if (p === 0) break;
        a.space.raw.setU8(p, 1);
        ps.push(p);
        assert.ok(ps.length < 1_000_000, 'never ran out');
      }
      assert.ok(ps.length > 0);
      assert.is(a.malloc(size), 0, 'still out of memory');
      assert.ok(a.physical().framesFree < 2 ** Math.ceil(Math.log2(Math.ceil(size / 4096))) + (name === 'kmalloc' ? 8 : 0), `${name}: ${a.physical().framesFree} frames left after filling with ${size}-byte blocks`);
      a.check();
      for (const p of ps.reverse()) a.free(p);
      if (name === 'kmalloc') (a as unknown as KmallocAllocator).shrink();
      a.check();
      const after = a.physical();
      assert.is(after.framesInUse, 0);
      assert.equal(after.buddyinfo, before.buddyinfo, 'fully merged again');
      const again = a.malloc(size);
      assert.ok(again !== 0, 'recovers');
      a.free(again);
      if (name === 'kmalloc') (a as unknown as KmallocAllocator).shrink();
    }
  });
}

test('buddy: internal fragmentation is the smallest sufficient power of two of pages', () => {
  const a = makers.buddy!(8) as unknown as BuddyAllocator;
  for (const [size, usable] of [[1, 4096], [4096, 4096], [4097, 8192], [129 * 1024, 256 * 1024], [4 * MiB, 4 * MiB]] as const) {
    const p = a.malloc(size);
    assert.is(a.usableSize(p), usable, `malloc(${size})`);
    assert.is(a.physical().framesInUse, usable / 4096);
    a.free(p);
  }
  assert.is(a.malloc(4 * MiB + 1), 0, 'above 2^maxOrder pages: fails as alloc_pages does');
});

test('buddy: freeing buddies in any order merges them; a live block keeps its buddy split', () => {
  const a = makers.buddy!(8) as unknown as BuddyAllocator;
  const x = a.malloc(4096);
  const y = a.malloc(4096);
  assert.is(y - x, 4096, 'the split buddy is handed out next');
  assert.equal(a.physical().buddyinfo, [0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]);
  a.free(x);
  assert.equal(a.physical().buddyinfo, [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1], 'x stays alone while y is live');
  assert.is(a.physical().unusableIndex[1], 1 / (2048 - 1));
  a.free(y);
  assert.equal(a.physical().buddyinfo, [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2]);
});

test('vmalloc: each area costs its pages plus a guard page of address space, one frame per data page, and vfree returns them', () => {
  const a = makers.vmalloc!(8) as unknown as VmallocAllocator;
  const p = a.malloc(10_000);
  assert.is(a.usableSize(p), 12_288);
  assert.is(a.physical().framesInUse, 3);
  assert.throws(() => a.space.store8(p + 12_288, 1), /segmentation fault/);
  const q = a.malloc(1);
  assert.is(q, p + 4 * 4096, 'lowest fit: right after the first area and its guard');
  a.free(p);
  assert.is(a.physical().framesInUse, 1);
  assert.is(a.malloc(8000), p, 'the freed area is the lowest fit again');
  a.check();
});

test('vmalloc: an area is virtually contiguous while its frames are scattered', () => {
  const a = makers.vmalloc!(8) as unknown as VmallocAllocator;
  const small = Array.from({ length: 8 }, () => a.malloc(100));
  const framesOf = (p: number, pages: number) => Array.from({ length: pages }, (_, i) => a.vmallocToPfn(p + i * 4096));
  assert.equal(small.map((p) => a.vmallocToPfn(p)), [0, 1, 2, 3, 4, 5, 6, 7], 'order-0 frames split off in address order');
  for (const s of small.filter((_, i) => i % 2 === 0)) a.free(s);
  const big = a.malloc(4 * 4096);
  assert.ok(big > Math.max(...small), 'the four-page area lies past the one-page holes');
  assert.equal(framesOf(big, 4), [6, 4, 2, 0], 'its frames are the freed ones, last freed first: no two adjacent');
  assert.is(a.vmallocToPfn(big + 4 * 4096), -1, 'the guard page has no frame');
  a.check();
});

test('kmalloc: slabs move between partial, full and empty lists, and empty slabs above min_partial go back to the buddy allocator', () => {
  const a = makers.kmalloc!(8) as unknown as KmallocAllocator;
  const row = () => a.slabinfo().find((r) => r.name === 'kmalloc-512')!;
  const ps = Array.from({ length: 8 * 7 }, () => a.malloc(500));
  assert.equal([row().fullSlabs, row().partialSlabs, row().emptySlabs, row().objectsPerSlab], [7, 0, 0, 8]);
  a.free(ps[0]!);
  assert.equal([row().fullSlabs, row().partialSlabs], [6, 1]);
  for (const p of ps.slice(1)) a.free(p);
  assert.is(row().emptySlabs, 5, 'min_partial of kmalloc-512 is 5');
  assert.is(a.physical().framesInUse, 5);
  a.shrink();
  assert.is(a.physical().framesInUse, 0);
});

test('kmalloc: the free list lives in the free objects and is LIFO', () => {
  const a = makers.kmalloc!(8) as unknown as KmallocAllocator;
  const p = a.malloc(64);
  const q = a.malloc(64);
  assert.is(q - p, 64, 'objects follow each other in the slab');
  a.free(p);
  assert.is(a.space.raw.u32(p), 3, 'p now holds the index + 1 of the next free object (object 2)');
  assert.is(a.malloc(64), p, 'the last freed object is handed out first');
});

test('kmalloc: red zones hold 0xcc after a live object, poison fills a freed one', () => {
  const a = createKmallocAllocator(createAddressSpace({ size: 256 * MiB }), { physicalMib: 8, redZone: true, poison: true });
  const p = a.malloc(100);
  assert.is(a.usableSize(p), 128);
  for (let i = 0; i < 16; i++) assert.is(a.space.raw.u8(p + 128 + i), 0xcc);
  a.free(p);
  assert.is(a.space.raw.u8(p), 0x6b);
  assert.is(a.space.raw.u8(p + 127), 0xa5);
  assert.is(a.space.raw.u8(p + 128), 0xbb);
});

test.run();
