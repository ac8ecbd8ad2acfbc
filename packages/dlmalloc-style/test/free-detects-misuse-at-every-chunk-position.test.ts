// free's fast path (allocator.ts release) finds the next chunk from the chunk-start bitmap: in the
// same bitmap word, in the following word, or (large chunks) from the header. Whichever way it
// went, a damaged canary, a damaged size or next head, and a double free must be caught before
// anything changes, exactly as the full validation does; an intact block must free normally.
// Blocks of 48 sizes are laid end to end so that chunk starts fall at every position of a word.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { AllocatorError, createAddressSpace } from '@heaplab/core';
import { createDlmallocAllocator } from '../src/index.js';

const SIZES = Array.from({ length: 48 }, (_, k) => 8 + 13 * k + (k % 5 === 0 ? 700 : 0)); // 8 … 619, some ≥ 708

function codeOf(f: () => void): string | null {
  try {
    f();
  } catch (e) {
    assert.instance(e, AllocatorError);
    return (e as AllocatorError).code;
  }
  return null;
}

function heap(tcache: number) {
  const space = createAddressSpace({ size: 64 * 2 ** 20 });
  const a = createDlmallocAllocator(space, { tcache });
  const ps = SIZES.map((n) => a.malloc(n));
  a.malloc(16); // keeps the last block off the top
  return { space, a, ps };
}

for (const tcache of [7, 0]) {
  test(`an overwritten canary is caught at every chunk position (tcache ${tcache})`, () => {
    const { space, a, ps } = heap(tcache);
    for (const p of ps) {
      const at = p + a.usableSize(p);
      space.u8[at]! ^= 0x5a;
      assert.is(codeOf(() => a.free(p)), 'canary-corrupted', `block at ${p}`);
      space.u8[at]! ^= 0x5a;
      a.check();
    }
    for (const p of ps) a.free(p);
    a.check();
  });

  test(`a header whose size disagrees with the chunk starts is caught (tcache ${tcache})`, () => {
    const { space, a, ps } = heap(tcache);
    for (const p of ps) {
      const head = (p - 12) >>> 2;
      const was = space.u32[head]!;
      space.u32[head] = was + 16;
      assert.ok(codeOf(() => a.free(p)) !== null, `block at ${p}: a grown size was accepted`);
      space.u32[head] = was;
      a.check();
    }
    for (const p of ps) a.free(p);
    a.check();
  });

  test(`a next chunk whose PINUSE was cleared is caught (tcache ${tcache})`, () => {
    const { space, a, ps } = heap(tcache);
    for (const p of ps) {
      const next = (p + a.usableSize(p) + 4) >>> 2;
      space.u32[next]! &= ~1;
      assert.is(codeOf(() => a.free(p)), 'invalid-free', `block at ${p}`);
      space.u32[next]! |= 1;
      a.check();
    }
    for (const p of ps) a.free(p);
    a.check();
  });

  test(`a second free is a double free at every chunk position (tcache ${tcache})`, () => {
    const { a, ps } = heap(tcache);
    for (let k = 0; k < ps.length; k += 2) a.free(ps[k]!); // every other: no two neighbours merge
    a.check();
    for (let k = 0; k < ps.length; k += 2) assert.is(codeOf(() => a.free(ps[k]!)), 'double-free', `block ${k}`);
    a.check();
    for (let k = 1; k < ps.length; k += 2) a.free(ps[k]!);
    a.check();
    assert.is(a.stats().liveBlocks, 1);
  });
}

test.run();
