// objectSize (core's strict object size) under dlmalloc-style: the usable bytes from p to the end
// of its live block; use-after-free for an address in a free chunk of the heap (binned, the
// victim, or parked in the tcache); invalid-free past a block's end, in the top chunk, in a
// header, or in an unmapped block. Also: stats().externalBytes counts the one structure kept in
// JavaScript, the ring of recently unmapped pointers.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createAddressSpace } from '@heaplab/core';
import { raisedCode as codeOf } from '@heaplab/core/testing';
import { createDlmallocAllocator, type DlmallocOptions } from '../src/index.js';


const make = (options: Partial<DlmallocOptions> = {}) => createDlmallocAllocator(createAddressSpace({ size: 64 * 2 ** 20 }), options);

for (const policy of ['best-fit', 'first-fit', 'next-fit'] as const) {
  test(`live blocks: the bytes from p to the block's end (${policy})`, () => {
    const a = make({ policy });
    const p = a.malloc(100);
    const big = a.malloc(300_000);
    assert.is(a.objectSize(p), a.usableSize(p));
    assert.is(a.objectSize(p + 40), a.usableSize(p) - 40);
    assert.is(a.objectSize(big + 1000), a.usableSize(big) - 1000);
    assert.is(codeOf(() => a.objectSize(p + a.usableSize(p) + 16)), 'invalid-free', 'past the end, in the next chunk\'s header');
    assert.is(codeOf(() => a.objectSize(p - 8)), 'invalid-free', 'in the header');
  });

  test(`a freed block in a free chunk is use-after-free; one merged into the top is not a block (${policy})`, () => {
    const a = make({ policy, tcache: 0 });
    const p = a.malloc(200);
    const q = a.malloc(200);
    const guard = a.malloc(200);
    a.free(p); // binned: q is live after it
    assert.is(codeOf(() => a.objectSize(p + 10)), 'use-after-free');
    a.free(guard); // merged into the top
    assert.is(codeOf(() => a.objectSize(guard)), 'invalid-free');
    a.free(q);
  });
}

test('a block parked in the tcache is use-after-free', () => {
  const a = make();
  const p = a.malloc(48);
  const keep = a.malloc(48);
  a.free(p);
  assert.is(codeOf(() => a.objectSize(p)), 'use-after-free');
  assert.is(codeOf(() => a.objectSize(p + 20)), 'use-after-free');
  a.free(keep);
});

test('an unmapped block is not a block (invalid-free)', () => {
  const a = make();
  const big = a.malloc(300_000);
  a.free(big);
  assert.is(codeOf(() => a.objectSize(big)), 'invalid-free');
});

test('stats().externalBytes is the ring of recently unmapped pointers and the five counters', () => {
  assert.is(make().stats().externalBytes, 64 * 8 + 5 * 8);
  assert.is(make({ unmapHistory: 0 }).stats().externalBytes, 5 * 8);
});

test.run();
