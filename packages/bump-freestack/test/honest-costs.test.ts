/*
 * The design's known costs, shown (Felker, "Non-candidate allocator designs", 2019):
 *   - memory carved for one class never serves another: after blocks of one class are freed,
 *     a request of another class takes fresh memory, never theirs;
 *   - after many small blocks are freed, a large request can fail while all that memory sits
 *     free (with reclaimOnOom off, Felker's design exactly; with it on, one live block per run
 *     is enough to pin every run);
 * and its promised strength: no progressive fragmentation — the same sizes again, in any order,
 * always fit after they once did.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createAddressSpace } from '@heaplab/core';
import { createBumpFreestackAllocator } from '../src/index.js';

const MiB = 2 ** 20;

function fill(a: ReturnType<typeof createBumpFreestackAllocator>, size: number): number[] {
  const ps: number[] = [];
  for (;;) {
    const p = a.malloc(size);
    if (p === 0) return ps;
    a.space.u8[p] = 1;
    ps.push(p);
  }
}

test('memory carved for one class never serves another', () => {
  const space = createAddressSpace({ size: 64 * MiB });
  const a = createBumpFreestackAllocator(space);
  const small = Array.from({ length: 5000 }, () => a.malloc(32));
  const smallSet = new Set(small);
  for (const p of small) a.free(p);
  const c = a.census();
  assert.is(c.liveBlocks, 0);
  assert.ok(c.cachedBytes + c.listedBytes >= 5000 * 32, 'the 32-byte blocks sit free');
  const bigger = Array.from({ length: 2000 }, () => a.malloc(80));
  for (const q of bigger) {
    assert.not.ok(smallSet.has(q), '80-byte block at a freed 32-byte address');
    for (const p of small) assert.ok(q + 80 <= p || p + 32 <= q, `80-byte block ${q} overlaps the freed 32-byte block ${p}`);
  }
  assert.ok(a.census().runBytes > c.runBytes, 'the 80-byte class was given new runs');
});

test('after many small blocks are freed, a large request fails while that memory sits free (reclaimOnOom off)', () => {
  const space = createAddressSpace({ size: 8 * MiB });
  const a = createBumpFreestackAllocator(space, { reclaimOnOom: false });
  const small = fill(a, 48);
  assert.ok(small.length > 50_000, `${small.length} small blocks`);
  for (const p of small) a.free(p);
  const free = a.census();
  assert.ok(free.cachedBytes + free.listedBytes >= small.length * 48, 'all of it is free');
  assert.is(a.malloc(100_000), 0, 'a 100 KB block (a class) cannot be had');
  assert.is(a.malloc(1000), 0, 'nor a 1000-byte one');
  assert.is(a.malloc(300_000), 0, 'nor a block in its own mapping');
  a.check();
});

test('with reclaimOnOom, one live block per run is enough to pin every run', () => {
  const space = createAddressSpace({ size: 8 * MiB });
  const a = createBumpFreestackAllocator(space);
  const small = fill(a, 48);
  const perRun = a.classes.find((c) => c.size === 48)!.blocks;
  for (let i = 0; i < small.length; i++) if (i % perRun !== 0) a.free(small[i]!);
  const live = a.stats().liveBytes;
  assert.ok(live < small.length * 48 / 100, `only ${live} bytes stay live`);
  assert.is(a.malloc(100_000), 0, 'the large request fails: every run holds a live block');
  // With every block freed, the runs go back to the pool and the large class gets one.
  for (let i = 0; i < small.length; i += perRun) a.free(small[i]!);
  assert.ok(a.malloc(100_000) !== 0, 'after all frees, reclaim gives the runs back');
  a.check();
});

test('no progressive fragmentation: the same sizes fit again, in a different order', () => {
  const space = createAddressSpace({ size: 16 * MiB });
  const a = createBumpFreestackAllocator(space, { reclaimOnOom: false });
  const sizes = [24, 100, 700, 3000, 20_000];
  // Fill the space with a mix, until the first failure; remember the counts per size.
  const held: number[][] = sizes.map(() => []);
  for (let round = 0, failed = false; !failed; round++) {
    const k = round % sizes.length;
    const p = a.malloc(sizes[k]!);
    if (p === 0) failed = true;
    else held[k]!.push(p);
  }
  const counts = held.map((h) => h.length);
  for (const h of held) for (const p of h) a.free(p);
  // Allocate the same multiset again, largest sizes first this time: every request succeeds.
  for (let k = sizes.length - 1; k >= 0; k--) {
    for (let i = 0; i < counts[k]!; i++) assert.ok(a.malloc(sizes[k]!) !== 0, `size ${sizes[k]} #${i} failed on the second pass`);
  }
  a.check();
});

test.run();
