/*
 * Large regions reuse the address ranges unmapped regions gave back (as Linux's top-down mmap
 * reuses the highest hole that fits), but only once a region has left the region quarantine: the
 * quarantine's delay is unchanged. Also the hole list itself: merging, best fit, top end.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createAddressSpace, PROT_NONE } from '@heaplab/core';
import { createZonedAllocator } from '../src/index.js';
import { LargeHoles } from '../src/large-holes.js';

const MiB = 2 ** 20;
const SIZE = 200 * 1024;

test('a freed region is not reused while in the quarantine, and its range is reused once it leaves', () => {
  const space = createAddressSpace({ size: 256 * MiB });
  // One-page guards, so every region of SIZE has the same number of pages and fits p's range.
  const a = createZonedAllocator(space, { regionQuarantineRandomLength: 0, regionQuarantineQueueLength: 4, guardSizeDivisor: 65536 });
  const p = a.malloc(SIZE);
  const k = a.large.table.find(p);
  const lo = p - a.large.table.guardBefore[k]! * 4096;
  const hi = p + (a.large.table.dataPages[k]! + a.large.table.guardAfter[k]!) * 4096;
  a.free(p);
  const held: number[] = [];
  for (let i = 0; i < 4; i++) {
    const q = a.malloc(SIZE);
    assert.ok(q < lo || q >= hi, `block ${i} placed in the quarantined region`);
    assert.is(space.protAt(p), PROT_NONE, 'the quarantined data stays PROT_NONE');
    held.push(q);
  }
  for (const q of held) a.free(q); // the first of them pushes p out of the quarantine
  assert.is(a.large.find(p), -1, 'p left the quarantine and the table');
  const r = a.malloc(SIZE);
  assert.ok(r >= lo && r < hi, `the next region reuses p's range [${lo}, ${hi}), got ${r}`);
  a.free(r);
  a.check();
});

test('the hole list merges neighbours (on both sides), takes the smallest hole that fits from its top end, and keeps the largest when full', () => {
  const h = new LargeHoles();
  h.add(100, 10);
  h.add(110, 5); // merges above [100, 110)
  h.add(90, 10); // merges below: [90, 115)
  h.add(300, 20);
  h.add(330, 5);
  assert.is(h.count, 3);
  h.add(320, 10); // bridges [300, 320) and [330, 335)
  assert.is(h.count, 2);
  assert.is(h.take(35), 300, 'the 35-page hole fits exactly');
  assert.is(h.count, 1);
  assert.is(h.take(5), 110, 'the top end of [90, 115)');
  assert.is(h.take(21), -1);
  assert.is(h.take(20), 90);
  assert.is(h.count, 0);
  for (let i = 0; i < 256; i++) h.add(1000 + 1000 * i, 1 + i);
  h.add(10_000_000, 500); // replaces the smallest (1 page)
  h.add(20_000_000, 1); // not larger than any: dropped
  assert.is(h.take(500), 10_000_000);
  assert.is(h.take(1), 2001, 'the 1-page hole was replaced; the smallest left has 2 pages (its top page)');
});

test.run();
