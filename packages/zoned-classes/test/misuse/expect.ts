/*
 * Shared by the misuse tests (one file per case of MISUSE_CASES): runs a case on a fresh
 * allocator of each preset and asserts its exact outcome — the detection code and the fixed part
 * of the message, or, when the preset does not detect the misuse, that nothing was detected,
 * nothing crashed and check() found the heap consistent.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { misuseCase, runMisuseCase, type Detection } from '@heaplab/core/testing';
import { createZonedAllocator, type PresetName } from '../../src/index.js';

export type Expected = { code: Detection; message: RegExp } | { undetected: true };

export function misuseTests(name: string, expected: Record<PresetName, Expected>): void {
  const c = misuseCase(name);
  for (const preset of ['default', 'light'] as PresetName[]) {
    const want = expected[preset];
    const what = 'code' in want ? `is detected as ${want.code}` : 'is not detected and leaves the heap consistent';
    test(`${name} with the ${preset} preset ${what}`, () => {
      const out = runMisuseCase(c, (space) => createZonedAllocator(space, { preset }));
      if ('code' in want) {
        assert.ok(out.detected, `expected ${want.code}, got ${JSON.stringify(out)}`);
        if (out.detected) {
          assert.is(out.code, want.code);
          assert.match(out.message, want.message);
        }
      } else {
        assert.equal(out, { detected: false, corrupted: null, crashed: null });
      }
    });
  }
}
