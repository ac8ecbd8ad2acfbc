/*
 * Misuse case invalid-free-unaligned (detected: invalid-free) — bump-freestack's exact outcome.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { misuseCase, runMisuseCase } from '@heaplab/core/testing';
import { createBumpFreestackAllocator } from '../../src/index.js';

const factory = createBumpFreestackAllocator;

test('invalid-free-unaligned: detected as invalid-free (every block is 16-aligned)', () => {
  const out = runMisuseCase(misuseCase('invalid-free-unaligned'), factory);
  assert.equal(out.detected, true, JSON.stringify(out));
  if (!out.detected) return;
  assert.is(out.code, 'invalid-free');
  assert.ok(out.message.includes('not a block of this allocator'), out.message);
});

test.run();
