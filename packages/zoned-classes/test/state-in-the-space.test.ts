/*
 * All mutable state is in the space: the slab-list heads, the page table of the zone area, the
 * slot, free-slab and region quarantines, the large holes (the state mapping) and the large table
 * (a mapping of its own) are views of the space's buffer, in mappings the allocator owns, so the
 * space's figures (resident pages, M4) count them. What stays in JavaScript — the tables computed
 * from the options — is reported as externalBytes and does not grow with use.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createAddressSpace } from '@heaplab/core';
import { createZonedAllocator, type PresetName } from '../src/index.js';

const MiB = 2 ** 20;

for (const preset of ['default', 'light'] as PresetName[]) {
  test(`the slab lists, page table, quarantines, holes and large table are views of the space, in the allocator's mappings (${preset})`, () => {
    const space = createAddressSpace({ size: 256 * MiB });
    const a = createZonedAllocator(space, { preset });
    const views: [string, ArrayBufferView][] = [
      ['partialHead', a.partialHead], ['emptyHead', a.emptyHead], ['freeHead', a.freeHead], ['freeTail', a.freeTail], ['nextFresh', a.nextFresh], ['emptyCount', a.emptyCount],
      ['metaCommitted', a.metaCommitted], ['pageSlab', a.pageSlab],
      ...a.quarantines.flatMap((q, c) => [[`quarantine ${c}`, q.random], [`queue ${c}`, q.ring]] as [string, ArrayBufferView][]),
      ['region quarantine', a.large.quarantine.random], ['large table keys', a.large.table.keys], ['large table sizes', a.large.table.requested],
    ];
    for (const [name, v] of views) {
      assert.ok(v.buffer === space.buffer, `${name} is a view of the space`);
      if (v.byteLength > 0) assert.ok(a.owns(v.byteOffset) && a.owns(v.byteOffset + v.byteLength - 1), `${name} lies in a mapping the allocator owns`);
    }
  });

  test(`bytes outside the space are the tables computed from the options, and do not grow with use (${preset})`, () => {
    const space = createAddressSpace({ size: 256 * MiB });
    const a = createZonedAllocator(space, { preset, seed: 5 });
    const before = a.stats().externalBytes;
    assert.ok(before > 0 && before < 64 * 1024, `${before} bytes of tables`);
    const live: number[] = [];
    for (let k = 0; k < 20_000; k++) {
      live.push(a.malloc(16 + ((k * 37) % 3000)));
      if (k % 3 === 0) a.free(live.splice((k * 7) % live.length, 1)[0]!);
      if (k % 500 === 0) live.push(a.malloc(200_000 + k));
    }
    for (const p of live) a.free(p);
    assert.is(a.stats().externalBytes, before);
    a.check();
  });
}

test('the page table is written slab by slab as slabs are first used, so it is resident only where zones are used', () => {
  const space = createAddressSpace({ size: 1024 * MiB });
  const a = createZonedAllocator(space);
  const table = a.pageSlab;
  assert.is(table.reduce((n, e) => n + (e !== 0 ? 1 : 0), 0), 0, 'no entry before any slab is used');
  const resident = space.stats().resident;
  a.malloc(100);
  const c = a.classes.findIndex((x) => x.slotSize >= 108);
  const written = table.reduce((n, e) => n + (e !== 0 ? 1 : 0), 0);
  assert.is(written, a.classes[c]!.slabPages, 'the pages of the one slab used');
  assert.ok(space.stats().resident - resident <= 4 * 4096, 'a slab page, its record page, one page of the table and the class\'s quarantine');
});

test.run();
