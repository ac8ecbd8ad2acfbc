/*
 * Zero on free leaves no freed byte behind, whichever way the bytes go: cleared in place (the slot
 * stays in a writable slab, or waits in the quarantine) or given back with the slab's pages when
 * the slab is decommitted at once (light, one-slot slabs past the empty-slab cache: the clear is
 * skipped there because the fresh PROT_NONE mapping zeroes the pages).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createAddressSpace, PROT_NONE, type AddressSpace } from '@heaplab/core';
import { createZonedAllocator, type PresetName } from '../src/index.js';

const MiB = 2 ** 20;

function nonZero(space: AddressSpace, p: number, n: number): number {
  let bad = 0;
  for (let k = 0; k < n; k++) if (space.u8[p + k] !== 0) bad++;
  return bad;
}

for (const preset of ['default', 'light'] as PresetName[]) {
  test(`${preset}: every freed byte reads zero, small slots and one-slot slabs alike`, () => {
    const space = createAddressSpace({ size: 256 * MiB });
    const a = createZonedAllocator(space, { preset });
    for (const size of [24, 100, 1000, 100_000]) {
      const blocks: number[] = [];
      for (let k = 0; k < 6; k++) {
        const p = a.malloc(size);
        space.fill(p, 0x41, size);
        blocks.push(p);
      }
      for (const p of blocks) a.free(p);
      for (const p of blocks) assert.is(nonZero(space, p, size), 0, `${size}-byte block ${p} still holds bytes after free`);
      a.check();
    }
    if (preset === 'light') {
      // Six 100,000-byte blocks, one slot per 104 KiB slab, an empty-slab cache of 128 KiB: all but one decommitted.
      const c = a.classes.findIndex((x) => x.usable >= 100_000);
      let decommitted = 0;
      for (let i = 0; i < a.nextFresh[c]!; i++) if (space.protAt(a.slabAddr(c, i)) === PROT_NONE) decommitted++;
      assert.ok(decommitted >= 4, `expected most slabs decommitted, got ${decommitted}`);
    }
  });
}

test.run();
