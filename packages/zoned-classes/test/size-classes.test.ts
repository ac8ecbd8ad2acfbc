/*
 * The computed size-class table against a snapshot (slot size : slab pages / slots), and the
 * properties the allocator relies on: sizes strictly increase in multiples of 16, four classes
 * per doubling past 64, slabs waste at most 1/64, the canary comes out of the usable size.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { sizeClassTable, slotSizes } from '../src/index.js';

const SNAPSHOT_4K =
  '16:1/256 16:1/256 32:1/128 48:1/85 64:1/64 80:1/51 96:1/42 112:1/36 128:1/32 160:2/51 192:2/42 224:2/36 256:2/32 ' +
  '320:3/38 384:3/32 448:4/36 512:4/32 640:5/32 768:6/32 896:7/32 1024:8/32 1280:10/32 1536:12/32 1792:14/32 2048:16/32 ' +
  '2560:17/27 3072:16/21 3584:16/18 4096:16/16 5120:15/12 6144:15/10 7168:16/9 8192:16/8 10240:15/6 12288:15/5 14336:14/4 16384:16/4 ' +
  '20480:15/3 24576:12/2 28672:14/2 32768:16/2 40960:10/1 49152:12/1 57344:14/1 65536:16/1 81920:20/1 98304:24/1 114688:28/1 131072:32/1';

const show = (t: ReturnType<typeof sizeClassTable>): string => t.map((c) => `${c.slotSize}:${c.slabPages}/${c.slots}`).join(' ');

test('the extended table with 4 KiB pages matches the snapshot', () => {
  assert.is(show(sizeClassTable({ extended: true })), SNAPSHOT_4K);
});

test('without extension the table stops at 16 KiB, a prefix of the extended one', () => {
  const t = sizeClassTable({ extended: false });
  assert.is(t[t.length - 1]!.slotSize, 16384);
  assert.is(t.length, 37, 'size-0 class + 36 classes, as hardened_malloc');
  assert.ok(SNAPSHOT_4K.startsWith(show(t)));
});

test('sizes are 16, 32, 48, 64, then four per doubling', () => {
  const s = slotSizes(true).slice(1);
  assert.equal(s.slice(0, 8), [16, 32, 48, 64, 80, 96, 112, 128]);
  for (let k = 1; k < s.length; k++) assert.ok(s[k]! > s[k - 1]! && s[k]! % 16 === 0);
  for (let base = 64; base < 131072; base *= 2) assert.is(s.filter((x) => x > base && x <= 2 * base).length, 4, `classes in (${base}, ${2 * base}]`);
});

test('slabs hold their slots and waste at most 1/64 of the slab, with 4 KiB and 64 KiB pages', () => {
  for (const pageSize of [4096, 65536]) {
    for (const c of sizeClassTable({ pageSize })) {
      assert.ok(c.slots >= 1 && c.slots * c.slotSize <= c.slabPages * pageSize, `class ${c.slotSize}`);
      assert.ok(c.slabWaste * 64 <= c.slabPages * pageSize, `class ${c.slotSize} wastes ${c.slabWaste} of ${c.slabPages * pageSize}`);
    }
  }
});

test('the canary is taken from the usable size; class 0 has none', () => {
  const t = sizeClassTable({ canary: 8 });
  assert.is(t[0]!.usable, 0);
  assert.is(t[1]!.usable, 8);
  assert.is(sizeClassTable({ canary: 0 })[1]!.usable, 16);
});

test('bad table options are rejected', () => {
  assert.throws(() => sizeClassTable({ pageSize: 8192 }), /pageSize/);
  assert.throws(() => sizeClassTable({ canary: 4 }), /canary/);
});

test.run();
