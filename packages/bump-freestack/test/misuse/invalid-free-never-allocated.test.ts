/*
 * Misuse case invalid-free-never-allocated (detected: invalid-free) — bump-freestack's exact outcome.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { misuseCase, runMisuseCase } from '@heaplab/core/testing';
import { createBumpFreestackAllocator } from '../../src/index.js';

const factory = createBumpFreestackAllocator;

test('invalid-free-never-allocated: detected as invalid-free (the address is past the carve index: its meta word is 0)', () => {
  const out = runMisuseCase(misuseCase('invalid-free-never-allocated'), factory);
  assert.equal(out.detected, true, JSON.stringify(out));
  if (!out.detected) return;
  assert.is(out.code, 'invalid-free');
  assert.ok(out.message.includes('not a block of this allocator'), out.message);
});

test.run();
