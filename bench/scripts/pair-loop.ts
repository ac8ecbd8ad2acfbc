/*
 * A simple loop for one allocator (issue 2's figures): ns per malloc/free pair of a 64-byte
 * block (tinybench, median), and resident bytes per live byte after 10,000 live blocks of
 * 8–100 bytes (seeded), each written on its first and last byte.
 *
 *   npx tsx bench/scripts/pair-loop.ts [allocator ...]
 */

import { Bench } from 'tinybench';
import { createAddressSpace } from '@heaplab/core';
import { allocatorFactory, allocatorNames } from '../src/allocators.js';

const names = process.argv.slice(2).length ? process.argv.slice(2) : allocatorNames();
for (const name of names) {
  const make = allocatorFactory(name);
  const a = make(createAddressSpace({ size: 2 ** 30 }));
  const bench = new Bench({ time: 1000, warmupTime: 200 });
  bench.add(`${name}: malloc(64) + free`, () => {
    const p = a.malloc(64);
    a.space.u8[p] = 1;
    a.free(p);
  });
  await bench.run();
  const t = bench.tasks[0]!.result as unknown as { latency: { p50: number } };
  const b = make(createAddressSpace({ size: 2 ** 30 }));
  let seed = 12345;
  const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
  let live = 0;
  for (let i = 0; i < 10_000; i++) {
    const size = 8 + Math.floor(rand() * 93);
    const p = b.malloc(size);
    b.space.u8[p] = 1;
    b.space.u8[p + size - 1] = 1;
    live += size;
  }
  const st = b.space.stats();
  console.log(
    `${name}: ${(t.latency.p50 * 1e6).toFixed(0)} ns per malloc/free pair (median); ` +
      `10,000 live blocks of 8–100 B: live ${live} B, resident ${st.resident} B, ${(st.resident / live).toFixed(1)} resident bytes per live byte, ` +
      `${st.calls.mmap} mmap calls`,
  );
}
