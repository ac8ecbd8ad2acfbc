/*
 * inspect for mmap-pages: at a block's mapping start it names the header, then the requested
 * bytes (live), the slack to the data end and, with guardPage, the guard page; the runs tile the
 * block's pages; foreign addresses answer undefined.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createAddressSpace } from '@heaplab/core';
import { createMmapPagesAllocator } from '../src/index.js';

test('inspect names the header at the start of a block\'s mapping and the live bytes after it', () => {
  const a = createMmapPagesAllocator(createAddressSpace({ size: 64 * 2 ** 20 }));
  const p = a.malloc(100);
  const base = p - 16;
  const h = a.inspect(base + 3)!;
  assert.is(h.kind, 'header');
  assert.is(h.start, base);
  assert.is(h.size, 16);
  const l = a.inspect(p + 99)!;
  assert.is(l.kind, 'live');
  assert.equal([l.start, l.size], [p, 100]);
  assert.equal(l.block, a.blockAt(p));
  assert.ok(l.details.some(([k, v]) => k === 'requested' && v === '100 bytes'));
  assert.is(a.inspect(p + 100)!.kind, 'slack');
  assert.equal(l.chain, [a.identity.label]);
});

test('inspect walks a block\'s pages in runs that tile them, and the guard page after them', () => {
  const a = createMmapPagesAllocator(createAddressSpace({ size: 64 * 2 ** 20 }), { guardPage: true });
  const p = a.malloc(5000);
  const base = Math.floor((p - 16) / 4096) * 4096;
  const kinds: string[] = [];
  let at = base;
  while (at < base + 3 * 4096) {
    const r = a.inspect(at)!;
    assert.ok(r.start <= at && at < r.start + r.size, `run ${r.kind} holds ${at}`);
    kinds.push(r.kind);
    at = r.start + r.size;
  }
  // 5000 bytes right-aligned to 16 leave 8 bytes of slack before the guard page.
  assert.equal(kinds, ['header', 'slack', 'live', 'slack', 'guard']);
});

test('inspect of memory that is not this allocator\'s is undefined', () => {
  const space = createAddressSpace({ size: 64 * 2 ** 20 });
  const a = createMmapPagesAllocator(space);
  a.malloc(10);
  assert.is(a.inspect(4096), undefined);
  assert.is(a.inspect(0), undefined);
});

test.run();
