// memalign(A, 0) gives a block that blockAt finds, with the size usableSize reports, whatever the
// alignment: served by the heap (small A) or by its own mapping (A large enough that size + A
// reaches the mmap threshold, or any A with the threshold at 0).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createAddressSpace } from '@heaplab/core';
import { createDlmallocAllocator, type DlmallocOptions } from '../src/index.js';

const KiB = 1024;
const cases: { align: number; options: Partial<DlmallocOptions> }[] = [
  { align: 64, options: {} },
  { align: 4 * KiB, options: {} },
  { align: 64 * KiB, options: {} },
  { align: 128 * KiB, options: {} },
  { align: 256 * KiB, options: {} },
  { align: 1024 * KiB, options: {} },
  { align: 4 * KiB, options: { mmapThreshold: 0 } },
  { align: 32, options: { mmapThreshold: 0 } },
];

for (const { align, options } of cases) {
  test(`memalign(${align}, 0)${options.mmapThreshold === 0 ? ' with mmapThreshold 0' : ''} is a block blockAt finds, of its usable size`, () => {
    const a = createDlmallocAllocator(createAddressSpace({ size: 64 * 2 ** 20 }), options);
    const p = a.memalign(align, 0);
    assert.ok(p !== 0 && p % align === 0, `memalign(${align}, 0) gave ${p.toString(16)}`);
    const usable = a.usableSize(p);
    assert.equal(a.blockAt(p), { base: p, size: usable });
    if (usable > 0) assert.equal(a.blockAt(p + usable - 1), { base: p, size: usable });
    assert.is(a.stats().liveBlocks, 1);
    a.check();
    a.free(p);
    assert.is(a.blockAt(p), null);
    assert.is(a.stats().liveBlocks, 0);
    a.check();
  });
}

test.run();
