/*
 * Misuse case invalid-free-interior (detected: invalid-free) — bump-freestack's exact outcome.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { misuseCase, runMisuseCase } from '@heaplab/core/testing';
import { createBumpFreestackAllocator } from '../../src/index.js';

const factory = createBumpFreestackAllocator;

test('invalid-free-interior: detected as invalid-free (16 bytes in is not a block boundary of the class-64 run)', () => {
  const out = runMisuseCase(misuseCase('invalid-free-interior'), factory);
  assert.equal(out.detected, true, JSON.stringify(out));
  if (!out.detected) return;
  assert.is(out.code, 'invalid-free');
  assert.ok(out.message.includes('not a block of this allocator'), out.message);
});

test.run();
