import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createAddressSpace, createIdentity, MAP_FIXED, PROT_NONE, PROT_READ, PROT_WRITE } from '@heaplab/core';
import { heapMap } from '../../src/report/heap-map.js';

const RW = PROT_READ | PROT_WRITE;

test('the heap map of a 2^47 space shows its heap and its mappings above 2^32, reservations cut out', () => {
  const space = createAddressSpace({ size: 2 ** 47 });
  const ps = space.pageSize;
  const me = createIdentity({ name: 'zones', family: 'test', description: 'a hand-made layout' });
  const heap = space.sbrk(4 * ps, me);
  space.store8(heap, 1);
  space.mmap(0, 2 ** 44, PROT_NONE, 0, me); // a reservation of 16 TiB: cut out
  const a = space.mmap(2 ** 40, 8 * ps, RW, MAP_FIXED, me);
  space.fill(a, 1, 2 * ps);
  space.store8(a + 2 * ps + 5, 1);
  const m = heapMap(space, [{ ptr: a, size: 2 * ps }], { allocator: 'zones', source: 'test', event: 1 });
  assert.is(m.reservedPages, 2 ** 44 / ps);
  assert.is(m.pagesPerCell, 1);
  assert.equal(m.pages, { 'live blocks': 2, 'resident, free': 2, 'not resident': 8, 'no access': 0, unmapped: 0 });
  assert.is(m.cells.filter((c) => c.state === 'unmapped').length, 1, 'one separator between the heap and the mapping');
  assert.ok(m.cells.some((c) => c.addr === `0x${a.toString(16)}` && c.state === 'live blocks'));
  assert.equal(m.rows, ['0x00100000 [heap]']);
});

test('a terabyte writable mapping is drawn from sampled pages, in at most a few thousand cells', () => {
  const space = createAddressSpace({ size: 2 ** 47 });
  const ps = space.pageSize;
  const a = space.mmap(0, 2 ** 40, RW);
  for (let p = a; p < a + 2 ** 39; p += 2 ** 35) space.raw.setU8(p, 1);
  const m = heapMap(space, [], { allocator: 'big', source: 'test', event: 1 });
  assert.ok(m.cells.length <= 64 * 48);
  assert.is(m.pagesPerCell * m.cells.length, 2 ** 40 / ps);
  assert.ok(m.cells.every((c) => c.state === 'not resident'));
});

test.run();
