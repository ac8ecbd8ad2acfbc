/*
 * The design's properties, one test each: zones reserved PROT_NONE in proportion to the space;
 * slabs made writable on first use with guard slabs between them; metadata out of band (an
 * overflow over a whole slab leaves the allocator's records intact); seeded randomness; the slot
 * quarantine delays reuse; empty slabs past the cache are decommitted; the large table keeps
 * many blocks and finds interior addresses.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { HeapCorruption, PROT_NONE, PROT_READ, PROT_WRITE, createAddressSpace } from '@heaplab/core';
import { createZonedAllocator } from '../src/index.js';

const MiB = 2 ** 20;
const RW = PROT_READ | PROT_WRITE;

test('zones are reserved PROT_NONE in proportion to the space, and before use only the slab-list heads are resident', () => {
  for (const size of [8 * MiB, 64 * MiB, 1024 * MiB]) {
    const space = createAddressSpace({ size });
    const a = createZonedAllocator(space);
    const s = space.stats();
    // Besides the zones and records: the state mapping (with its two guard pages) and the large table's page.
    const state = Math.ceil(a.stateBytes / 4096) * 4096 + 3 * 4096;
    assert.ok(s.mapped - state >= 0.45 * size && s.mapped - state <= 0.52 * size, `${size}: mapped ${s.mapped}`);
    assert.is(s.resident, 4096, 'the page of the state mapping holding the list heads (−1: empty)');
    assert.is(a.plan.zoneClass.length, a.classes.length);
    assert.is(a.plan.zoneBytes, Math.floor((size * 0.5) / a.classes.length / 4096) * 4096);
  }
});

test('a slab becomes writable on first use; a guard slab follows it (default) or every eighth (light)', () => {
  for (const [preset, interval] of [['default', 1], ['light', 8]] as const) {
    const space = createAddressSpace({ size: 64 * MiB });
    const a = createZonedAllocator(space, { preset });
    const p = a.malloc(100);
    const slab = a.slabAddr(a.classes.findIndex((c) => c.slotSize === 112), 0);
    assert.is(space.protAt(slab), RW);
    assert.is(space.protAt(slab + 4096), PROT_NONE, 'the next position (guard or slab) is not committed yet');
    const ps: number[] = [p];
    for (let k = 0; k < 36 * 9; k++) ps.push(a.malloc(100)); // fill nine slabs of the 112-byte class
    const c = a.classes.findIndex((x) => x.slotSize === 112);
    for (let i = 0; i < 9; i++) assert.is(space.protAt(a.slabAddr(c, i)), RW, `slab ${i}`);
    const gaps = [];
    for (let i = 0; i < 8; i++) gaps.push(a.slabAddr(c, i + 1) - a.slabAddr(c, i) > 4096);
    assert.equal(gaps, interval === 1 ? Array(8).fill(true) : [false, false, false, false, false, false, false, true]);
    for (let i = 0; i < 8; i++) if (gaps[i]) assert.is(space.protAt(a.slabAddr(c, i) + 4096), PROT_NONE);
    for (const q of ps) a.free(q);
    a.check();
  }
});

test('metadata is out of band: overwriting a whole slab leaves every record intact and check() names the damage', () => {
  const space = createAddressSpace({ size: 64 * MiB });
  const a = createZonedAllocator(space);
  const p = a.malloc(50);
  const q = a.malloc(50);
  const other = a.malloc(1000);
  const records = (): Uint8Array => space.raw.readInto(a.metaAddr, new Uint8Array(a.plan.metaWords * 4));
  const metaBefore = records();
  const slab = Math.floor(p / 4096) * 4096;
  space.fill(slab, 0x41, 4096); // the program runs over the whole slab
  assert.equal(records(), metaBefore, 'no allocator record changed');
  assert.throws(() => a.check(), (e: unknown) => e instanceof HeapCorruption && /canary of the live slot|is not zero/.test((e as Error).message));
  assert.throws(() => a.free(p), /canary-corrupted/);
  a.free(other); // other classes keep working
  assert.ok(a.malloc(1000) !== 0);
  assert.is(a.stats().liveBlocks, 3, 'p and q are still live: the failed free changed nothing');
  void q;
});

test('the same seed gives the same heap and another seed another one', () => {
  const run = (seed: number): number[] => {
    const a = createZonedAllocator(createAddressSpace({ size: 64 * MiB }), { seed });
    return Array.from({ length: 20 }, (_, k) => a.malloc(16 + k * 24));
  };
  assert.equal(run(5), run(5));
  assert.not.equal(run(5), run(6));
});

test('the default quarantine delays reuse; light reuses the freed slot at once', () => {
  const d = createZonedAllocator(createAddressSpace({ size: 64 * MiB }));
  const p = d.malloc(64);
  d.free(p);
  const next = Array.from({ length: 50 }, () => d.malloc(64));
  assert.not.ok(next.includes(p), 'p stays in the quarantine while nothing else is freed');
  const l = createZonedAllocator(createAddressSpace({ size: 64 * MiB }), { preset: 'light' });
  const r = l.malloc(64);
  l.free(r);
  assert.is(l.malloc(64), r);
});

test('empty slabs past the cache are decommitted: PROT_NONE again and no longer resident', () => {
  const space = createAddressSpace({ size: 64 * MiB });
  const a = createZonedAllocator(space, { preset: 'light', emptySlabCacheBytes: 4096 });
  const c = a.classes.findIndex((x) => x.slotSize === 64);
  const ps = Array.from({ length: 64 * 3 }, () => a.malloc(56)); // 56 + canary: three full 1-page slabs of 64-byte slots
  const before = space.stats().resident;
  for (const p of ps) a.free(p);
  a.check();
  const states = [0, 1, 2].map((i) => space.protAt(a.slabAddr(c, i)));
  assert.is(states.filter((s) => s === RW).length, 1, 'one empty slab kept');
  assert.is(states.filter((s) => s === PROT_NONE).length, 2, 'two decommitted');
  assert.ok(space.stats().resident <= before - 2 * 4096);
  const again = Array.from({ length: 64 * 3 }, () => a.malloc(56));
  assert.ok(again.every((p) => p !== 0));
  a.check();
});

test('the large table keeps hundreds of blocks, finds interior addresses and frees them all', () => {
  const space = createAddressSpace({ size: 256 * MiB });
  const a = createZonedAllocator(space, { preset: 'light' });
  const ps = Array.from({ length: 300 }, (_, k) => a.malloc(140_000 + k * 100));
  assert.ok(ps.every((p) => p !== 0));
  for (const [k, p] of ps.entries()) {
    assert.equal(a.blockAt(p + 70_000 + k), { base: p, size: a.usableSize(p) });
    assert.is(space.protAt(p - 1), PROT_NONE, 'guard before');
    assert.is(space.protAt(p + a.usableSize(p)), PROT_NONE, 'guard after');
  }
  a.check();
  for (const p of ps) a.free(p);
  assert.is(a.stats().liveBlocks, 0);
  a.check();
});

test('large requests are rounded to four classes per doubling, or to pages with largeSizeClasses off', () => {
  const on = createZonedAllocator(createAddressSpace({ size: 64 * MiB }));
  const off = createZonedAllocator(createAddressSpace({ size: 64 * MiB }), { largeSizeClasses: false });
  assert.equal([140_000, 200_000, 262_144, 300_000].map((n) => on.usableSize(on.malloc(n))), [163_840, 229_376, 262_144, 327_680]);
  assert.equal([140_000, 200_000].map((n) => off.usableSize(off.malloc(n))), [143_360, 200_704]);
});

test('an aligned large block keeps its alignment and its guards', () => {
  const a = createZonedAllocator(createAddressSpace({ size: 64 * MiB }));
  const p = a.memalign(1 << 20, 300_000);
  assert.is(p % (1 << 20), 0);
  assert.is(a.space.protAt(p - 1), PROT_NONE);
  assert.is(a.space.protAt(p + a.usableSize(p)), PROT_NONE);
  a.check();
  a.free(p);
  a.check();
});

test('in a 4 GiB space, blocks above 2 GiB (past the signed 32-bit range) keep their bytes and their checks', () => {
  const space = createAddressSpace({ size: 4096 * MiB });
  const a = createZonedAllocator(space, { seed: 3 });
  const ps: [number, number][] = [];
  for (const c of a.classes) if (c.index > 0) ps.push([a.malloc(c.usable), c.usable]);
  for (let k = 0; k < 20; k++) ps.push([a.malloc(200_000 + k * 4096), 200_000 + k * 4096]);
  assert.ok(ps.some(([p]) => p >= 2 ** 31), 'some block lies above 2^31');
  for (const [p, n] of ps) space.fill(p, (p >>> 4) & 255, n);
  a.check();
  for (const [p, n] of ps) {
    assert.is(space.load8(p + n - 1), (p >>> 4) & 255);
    assert.equal(a.blockAt(p + (n >>> 1)), { base: p, size: a.usableSize(p) });
  }
  const high = ps.find(([p]) => p >= 2 ** 31 && p < a.areaEnd);
  assert.ok(high, 'with seed 3 the zone area reaches past 2^31');
  space.store8(high[0] + high[1], 1);
  assert.throws(() => a.free(high[0]), /canary-corrupted/);
  space.store8(high[0] + high[1], 0); // the canary's first byte is always 0: restored
  for (const [p] of ps) a.free(p);
  assert.is(a.stats().liveBlocks, 0);
  a.check();
});

test('when large regions exhaust the space, the region quarantine is emptied and malloc works again', () => {
  const space = createAddressSpace({ size: 16 * MiB });
  const a = createZonedAllocator(space);
  const ps: number[] = [];
  for (let p = a.malloc(300_000); p !== 0; p = a.malloc(300_000)) ps.push(p);
  assert.ok(ps.length > 3, `${ps.length} regions fit`);
  for (const p of ps) a.free(p);
  assert.ok(a.large.quarantine.size > 0, 'freed regions wait in the quarantine, still mapped');
  assert.ok(a.malloc(300_000) !== 0, 'the quarantine gave its address space back');
  assert.is(a.large.quarantine.size, 0);
  let again = 1;
  while (a.malloc(300_000) !== 0) again++;
  assert.ok(again >= ps.length / 2, `${again} regions fit again (${ps.length} the first time; guards are random)`);
  a.check();
});

test('when a zone is full, the class quarantine is emptied before malloc gives up', () => {
  const space = createAddressSpace({ size: 8 * MiB });
  const a = createZonedAllocator(space);
  const ps: number[] = [];
  for (let p = a.malloc(1000); p !== 0; p = a.malloc(1000)) ps.push(p);
  a.free(ps.pop()!); // into the quarantine: not reusable yet
  assert.ok(a.malloc(1000) !== 0, 'the quarantined slot was given back and reused');
  assert.is(a.malloc(1000), 0, 'and then the zone is full again');
  a.check();
});

test('decommitted slabs wait in the free-slab quarantine, and a full zone takes them back', () => {
  const space = createAddressSpace({ size: 64 * MiB });
  const a = createZonedAllocator(space, { preset: 'light', emptySlabCacheBytes: 0 });
  const c = a.classes.findIndex((x) => x.slotSize === 64);
  const fill = (): number[] => {
    const ps: number[] = [];
    for (let p = a.malloc(56); p !== 0; p = a.malloc(56)) ps.push(p);
    return ps;
  };
  const first = fill();
  assert.ok(a.slabCount[c]! > 32, 'more slabs than the quarantine holds');
  for (const p of first) a.free(p);
  const held = a.slabQuarantines[c]!.size;
  assert.ok(held >= 24 && held <= 32, `${held} decommitted slabs held back in the random array of 32`);
  a.check();
  assert.is(fill().length, first.length, 'the same number of blocks fits again');
  a.check();
});

test.run();
