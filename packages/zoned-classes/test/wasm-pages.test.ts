/*
 * With 64 KiB pages (the wasm page option), slabs are whole 64 KiB pages holding up to 4,096
 * slots (128 bitmap words): the kit's random sequences, with every invariant and check() after
 * every step, in fewer runs than the main conformance file.
 */
import { test } from 'uvu';
import fc from 'fast-check';
import { createAddressSpace } from '@heaplab/core';
import { Model, applyOp, opArbitrary, verify } from '@heaplab/core/testing';
import { createZonedAllocator, type PresetName } from '../src/index.js';

for (const preset of ['default', 'light'] as PresetName[]) {
  test(`random sequences keep every block intact with 64 KiB pages (${preset})`, () => {
    fc.assert(
      fc.property(fc.array(opArbitrary(200_000, 16), { maxLength: 60 }), (ops) => {
        const a = createZonedAllocator(createAddressSpace({ size: 64 * 2 ** 20, pageSize: 65536 }), { preset });
        const m = new Model();
        for (const o of ops) {
          applyOp(a, m, o);
          verify(a, m, { check: true });
        }
      }),
      { numRuns: 150, seed: 1 },
    );
  });
}

test.run();
