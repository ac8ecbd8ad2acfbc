import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createAddressSpace, createIdentity, MAP_FIXED, PROT_NONE, PROT_READ, PROT_WRITE } from '@heaplab/core';
import { heapMap } from '../../src/report/heap-map.js';

const RW = PROT_READ | PROT_WRITE;

test('each page gets the state of what the space and the live blocks say, reservations cut out', () => {
  const space = createAddressSpace({ size: 64 * 2 ** 20 });
  const ps = space.pageSize;
  const me = createIdentity({ name: 'hand', family: 'test', description: 'a hand-made layout' });
  // One mapping of 8 pages: a live block over pages 0–1, page 2 written but free, pages 3–7 never written.
  const a = space.mmap(16 * 2 ** 20, 8 * ps, RW, MAP_FIXED, me);
  space.fill(a, 1, 2 * ps);
  space.store8(a + 2 * ps + 5, 1);
  // A guard page (PROT_NONE, short: shown) right after, and a 100-page reservation (cut out) after that.
  space.mmap(a + 8 * ps, ps, PROT_NONE, MAP_FIXED, me);
  space.mmap(a + 9 * ps, 100 * ps, PROT_NONE, MAP_FIXED, me);
  const m = heapMap(space, [{ ptr: a, size: 2 * ps }], { allocator: 'hand', source: 'test', event: 3 });
  assert.is(m.pagesPerCell, 1);
  assert.is(m.reservedPages, 100);
  assert.equal(m.cells.map((c) => c.state), ['live blocks', 'live blocks', 'resident, free', 'not resident', 'not resident', 'not resident', 'not resident', 'not resident', 'no access']);
  assert.equal(m.pages, { 'live blocks': 2, 'resident, free': 1, 'not resident': 5, 'no access': 1, unmapped: 0 });
  assert.is(m.residentBytes, 3 * ps);
  assert.is(m.rows.length, 1);
  assert.match(m.rows[0]!, /^0x[0-9a-f]{8} hand$/, 'the owner by name, without its instance number');
  assert.is(m.cells[0]!.addr, `0x${a.toString(16).padStart(8, '0')}`);
});

test('a long gap between mappings shows as one unmapped cell; a short one as its pages', () => {
  const space = createAddressSpace({ size: 64 * 2 ** 20 });
  const ps = space.pageSize;
  const base = 16 * 2 ** 20;
  space.mmap(base, 2 * ps, RW, MAP_FIXED);
  space.mmap(base + 5 * ps, ps, RW, MAP_FIXED); // 3 pages apart: shown as 3 unmapped cells
  space.mmap(base + 1000 * ps, ps, RW, MAP_FIXED); // far: one separator cell
  const m = heapMap(space, [], { allocator: 'none', source: 'test', event: 0 });
  assert.equal(m.cells.map((c) => c.state), ['not resident', 'not resident', 'unmapped', 'unmapped', 'unmapped', 'not resident', 'unmapped', 'not resident']);
});

test('many pages are grouped into power-of-two cells, under the cell limit', () => {
  const space = createAddressSpace({ size: 256 * 2 ** 20 });
  space.mmap(0, 100 * 2 ** 20, RW);
  const m = heapMap(space, [], { allocator: 'none', source: 'test', event: 0 });
  assert.ok(m.cells.length <= 64 * 48, String(m.cells.length));
  assert.is(m.pagesPerCell & (m.pagesPerCell - 1), 0);
  assert.is(m.pages['not resident'], 25600);
});

test.run();
