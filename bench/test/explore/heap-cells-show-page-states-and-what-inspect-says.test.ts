/*
 * The heap map's cells (bench/src/explore/heap-view.ts): cells of a page or more take the state
 * of most of their pages (unmapped, PROT_NONE, mapped, resident); cells under a page show what
 * the allocator's inspect says at their middle byte, so a live block, its header and a free
 * chunk are told apart byte by byte.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { PROT_NONE, PROT_READ, PROT_WRITE, createAddressSpace } from '@heaplab/core';
import { createDlmallocAllocator } from '@heaplab/dlmalloc-style';
import { BYTE_KINDS, PAGE_STATES, heapCells } from '../../src/explore/heap-view.js';

test('page cells: unmapped, no access, mapped and resident pages', () => {
  const space = createAddressSpace({ size: 64 * 2 ** 20 });
  const a = createDlmallocAllocator(space);
  const m = space.mmap(0, 4 * 4096, PROT_READ | PROT_WRITE, 0, a.identity);
  space.mprotect(m + 4096, 4096, PROT_NONE);
  space.store8(m + 2 * 4096, 1);
  // mmap fills top-down: the page below the mapping is free, the one above it is dlmalloc-style's state page.
  const cells = heapCells(space, a, m - 4096, 4096, 5);
  assert.is(cells.mode, 'pages');
  assert.equal([...cells.states].map((s) => PAGE_STATES[s]), ['unmapped', 'not resident', 'no access', 'resident', 'not resident']);
  assert.is(cells.owners[1], space.ownerIndexAt(m));
  assert.is(cells.owners[0], 0);
});

test('byte cells: what inspect says at each cell\'s middle byte', () => {
  const space = createAddressSpace({ size: 64 * 2 ** 20 });
  const a = createDlmallocAllocator(space, { tcache: 0 });
  const p = a.malloc(100);
  const q = a.malloc(200);
  a.malloc(16);
  a.free(q);
  const lo = p - 16;
  const cells = heapCells(space, a, lo, 4, 128);
  assert.is(cells.mode, 'bytes');
  for (let k = 0; k < 128; k++) {
    const mid = lo + k * 4 + 2;
    assert.is(BYTE_KINDS[cells.states[k]!], a.inspect(mid)!.kind, `cell ${k} at ${mid}`);
  }
  const kinds = new Set([...cells.states].map((s) => BYTE_KINDS[s]));
  for (const k of ['header', 'live', 'free']) assert.ok(kinds.has(k as never), k);
});

test.run();
