// After running out of memory and freeing every block, the heap serves requests of any size
// again: before malloc fails, it flushes the tcache (whose parked chunks, still marked in use,
// keep their neighbours from coalescing and the top from trimming), coalesces, trims the top and
// tries again — as glibc consolidates before it gives up. The reverse free order is the hard one:
// the chunks parked first are the highest, just below the top.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createAddressSpace } from '@heaplab/core';
import { createDlmallocAllocator, type DlmallocOptions } from '../src/index.js';

const MiB = 2 ** 20;
const variants: Partial<DlmallocOptions>[] = [{}, { tcache: 0 }, { policy: 'first-fit' }, { policy: 'next-fit' }, { releaseThreshold: 0 }];

for (const options of variants) {
  for (const fill of [100, 500, 3000]) {
    for (const reverse of [false, true]) {
      test(`${JSON.stringify(options)}: fill a 32 MiB space with malloc(${fill}), free it all ${reverse ? 'in reverse' : 'in order'}, then 200 KiB and 8 MiB succeed and the break comes back down`, () => {
        const space = createAddressSpace({ size: 32 * MiB });
        const a = createDlmallocAllocator(space, options);
        const brk0 = space.currentBrk;
        const ps: number[] = [];
        for (let p = a.malloc(fill); p !== 0; p = a.malloc(fill)) ps.push(p);
        assert.ok(ps.length * ((fill + 31) & ~15) > 28 * MiB, `only ${ps.length} blocks before running out`);
        if (reverse) ps.reverse();
        for (const p of ps) a.free(p);
        a.check();
        const big = a.malloc(200 * 1024);
        const huge = a.malloc(8 * MiB);
        assert.ok(big !== 0, 'malloc(200 KiB) failed');
        assert.ok(huge !== 0, 'malloc(8 MiB) failed');
        a.free(big);
        a.free(huge);
        a.check();
        assert.ok(space.currentBrk - brk0 < 9 * MiB, `the break stays ${((space.currentBrk - brk0) / MiB).toFixed(1)} MiB above its start`);
        assert.is(a.stats().liveBlocks, 0);
      });
    }
  }
}

test.run();
