/*
 * The size classes are computed: snapshot of the default table, the properties every table
 * keeps (multiples of 16, strictly increasing, every power of two a class, bounded slack), and
 * the lookup table agreeing with a linear search.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DEFAULT_OPTIONS, classLookup, classSizes, computeSizeClasses } from '../src/index.js';

test('the default classes: 16 … 128 by 16, then 4 per doubling up to 128 KiB', () => {
  const s = classSizes(131072, 4);
  assert.equal(s.slice(0, 16), [16, 32, 48, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384, 448, 512]);
  assert.is(s.length, 48);
  assert.is(s[s.length - 1], 131072);
});

test('every table: multiples of 16, increasing, powers of two present, slack ≤ 1/32 of a run or minimal', () => {
  for (const largestClass of [256, 4096, 131072, 1048576]) {
    for (const classesPerDoubling of [1, 2, 4, 8]) {
      const cs = computeSizeClasses({ ...DEFAULT_OPTIONS, largestClass, classesPerDoubling }, 4096);
      for (let i = 0; i < cs.length; i++) {
        const c = cs[i]!;
        assert.is(c.size % 16, 0);
        if (i > 0) assert.ok(c.size > cs[i - 1]!.size);
        assert.is(c.runBytes % 4096, 0);
        assert.is(c.blocks * c.size + c.slack, c.runBytes);
        assert.ok(c.blocks >= 1);
        assert.ok(c.cacheCap % 2 === 0 && c.cacheCap >= 2 && c.cacheCap <= 128);
      }
      for (let p = 16; p <= largestClass; p *= 2) assert.ok(cs.some((c) => c.size === p), `power of two ${p} is a class`);
    }
  }
});

test('the lookup table gives the smallest class that fits', () => {
  const cs = computeSizeClasses(DEFAULT_OPTIONS, 4096);
  const t = classLookup(cs);
  for (let s = 0; s <= 131072; s += 7) {
    const want = cs.findIndex((c) => c.size >= s);
    assert.is(t[(s + 15) >>> 4], want, `size ${s}`);
  }
});

test.run();
