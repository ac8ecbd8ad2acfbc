import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { MAP_FIXED, PROT_NONE, PROT_READ, PROT_WRITE, createAddressSpace } from '../../src/index.js';

const MiB = 2 ** 20;
const RW = PROT_READ | PROT_WRITE;

test('a 2^47 space with 100 MiB touched across it costs about 100 MiB of the host', () => {
  globalThis.gc?.();
  const before = process.memoryUsage().rss;
  const s = createAddressSpace({ size: 2 ** 47 });
  // 100 mappings of 1 MiB spread over the whole space, each page written once, plus a
  // reservation of 64 TiB that nobody touches.
  s.mmap(0, 2 ** 46, PROT_NONE);
  for (let i = 1; i <= 100; i++) {
    const at = i * 2 ** 39 + i * 7 * 4096; // below the reservation at [2^46, 2^47)
    s.mmap(at, MiB, RW, MAP_FIXED);
    for (let p = at; p < at + MiB; p += 4096) s.raw.setU32(p + 8, i);
  }
  const grown = process.memoryUsage().rss - before;
  assert.is(s.stats().resident, 100 * MiB);
  assert.ok(s.stats().mapped >= 2 ** 46 + 100 * MiB);
  assert.ok(grown < 100 * MiB + 64 * MiB, `the host grew by ${Math.round(grown / MiB)} MiB for 100 MiB touched`);
  assert.ok(s.stats().frames!.tableBytes < 64 * MiB, `page tables and frame lists take ${Math.round(s.stats().frames!.tableBytes / MiB)} MiB`);
});

test('frames given back are reused, so churn does not grow the host', () => {
  const s = createAddressSpace({ size: 2 ** 47 });
  for (let round = 0; round < 20; round++) {
    const a = s.mmap(0, 4 * MiB, RW);
    s.raw.fill(a, 4 * MiB, round + 1);
    s.munmap(a, 4 * MiB);
  }
  assert.is(s.stats().peakResident, 4 * MiB);
  assert.is(s.stats().frames!.inUse, 0);
  assert.is(s.stats().frames!.largestFreeOrder, 10, 'freed frames merged back into whole blocks');
});

test.run();
