// An overflow past a block in its own mapping lands in the header of the mapping just above it
// (mappings are made top-down): its first four bytes in the unused prev_foot, the next in the head. Freeing the block whose header was overwritten raises
// canary-corrupted naming that block, before anything changes (the mapping stays, the counters
// too), as glibc's munmap_chunk checks a chunk's size, alignment and extent before munmap.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { AllocatorError, createAddressSpace, type AddressSpace } from '@heaplab/core';
import { createDlmallocAllocator, type DlmallocAllocator } from '../src/index.js';

const KiB = 1024;

function expectCorrupted(a: DlmallocAllocator, space: AddressSpace, p: number): void {
  const before = { stats: a.stats(), maps: space.maps(), mapped: a.mmapped() };
  try {
    a.free(p);
    assert.unreachable(`free(${p.toString(16)}) of the damaged block did not throw`);
  } catch (e) {
    assert.instance(e, AllocatorError);
    assert.is((e as AllocatorError).code, 'canary-corrupted');
    assert.match((e as AllocatorError).message, p.toString(16));
    assert.match((e as AllocatorError).message, 'header');
  }
  const { calls: _c0, ...s0 } = before.stats;
  const { calls: _c1, ...s1 } = a.stats();
  assert.equal(s1, s0, 'the failed free changed the stats');
  assert.is(space.maps(), before.maps, 'the failed free changed the mappings');
  assert.equal(a.mmapped(), before.mapped);
}

for (const bytes of [5, 8, 12]) {
  test(`${bytes} bytes past a 256 KiB block damage the mapped block above, and its free names it (canary-corrupted)`, () => {
    const space = createAddressSpace({ size: 64 * 2 ** 20 });
    const a = createDlmallocAllocator(space);
    const above = a.malloc(256 * KiB);
    const below = a.malloc(256 * KiB);
    const end = below + a.usableSize(below);
    assert.is(end + 16, above, 'the two mappings touch: the header of the one above follows the block below');
    for (let k = 0; k < bytes; k++) space.store8(end + k, 0x41);
    expectCorrupted(a, space, above);
    a.free(below); // its own header is intact
    assert.throws(() => a.check(), /header|does not start/);
  });
}

test('8 bytes past a block overwrite the pad word of a memalign block mapped above, and its free names it', () => {
  const space = createAddressSpace({ size: 64 * 2 ** 20 });
  const a = createDlmallocAllocator(space);
  const above = a.memalign(256 * KiB, 1000); // its chunk sits pad bytes into its mapping
  const below = a.malloc(256 * KiB);
  const end = below + a.usableSize(below);
  assert.ok(end < above - 16 && end % 4096 === 0, 'the mapping above starts with the pad word');
  for (let k = 0; k < 8; k++) space.store8(end + k, 0x41);
  expectCorrupted(a, space, above);
});

test('up to four bytes past a mapped block land in the unused prev_foot above: the block above frees normally', () => {
  const space = createAddressSpace({ size: 64 * 2 ** 20 });
  const a = createDlmallocAllocator(space);
  const above = a.malloc(256 * KiB);
  const below = a.malloc(256 * KiB);
  for (let k = 0; k < 4; k++) space.store8(below + a.usableSize(below) + k, 0x41);
  a.free(above);
  a.free(below);
  a.check();
  assert.is(a.stats().liveBlocks, 0);
});

test('a mapped header whose size was rewritten to another whole number of pages is refused before munmap', () => {
  const space = createAddressSpace({ size: 64 * 2 ** 20 });
  const a = createDlmallocAllocator(space);
  const above = a.malloc(256 * KiB);
  const below = a.malloc(256 * KiB);
  const c = above - 16;
  // The size of both blocks together: without the check, free(above) would munmap both.
  const h = space.u32[(c + 4) >>> 2]!;
  space.u32[(c + 4) >>> 2] = (h & 15) | ((h & ~15) >>> 0) * 2;
  void below;
  expectCorrupted(a, space, above);
});

test.run();
