/*
 * realloc of a block whose canary a one-byte overflow corrupted raises canary-corrupted before it
 * changes anything — moving to a larger slot, to another class, to a large region, or resizing
 * in place — with both presets: the allocator's figures, the space's, and the block itself are
 * as before, and a later free still finds the corruption.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { raisedCode as raised } from '@heaplab/core/testing';
import { createAddressSpace } from '@heaplab/core';
import { createZonedAllocator, type PresetName } from '../src/index.js';

const cases: [from: number, to: number, how: string][] = [
  [24, 200, 'to a larger class'],
  [1000, 5000, 'to a larger class'],
  [24, 300_000, 'to a large region'],
  [24, 20, 'in place'],
];

for (const preset of ['default', 'light'] as PresetName[]) {
  for (const [from, to, how] of cases) {
    test(`realloc(${from} → ${to}, ${how}) of a block with a corrupted canary raises canary-corrupted and changes nothing (${preset})`, () => {
      const space = createAddressSpace({ size: 256 * 2 ** 20 });
      const a = createZonedAllocator(space, { preset, seed: 7 });
      const p = a.malloc(from);
      space.store8(p + a.usableSize(p), 0x41);
      const figures = () => ({ ...a.stats(), calls: null, space: { ...space.stats(), calls: null } });
      const before = figures();
      assert.is(raised(() => a.realloc(p, to)), 'canary-corrupted');
      assert.equal(figures(), before);
      assert.is(raised(() => a.free(p)), 'canary-corrupted', 'free still finds the corruption');
    });
  }
}

test.run();
