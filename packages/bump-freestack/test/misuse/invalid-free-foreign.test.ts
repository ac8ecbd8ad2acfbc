/*
 * Misuse case invalid-free-foreign (detected: invalid-free) — bump-freestack's exact outcome.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { misuseCase, runMisuseCase } from '@heaplab/core/testing';
import { createBumpFreestackAllocator } from '../../src/index.js';

const factory = createBumpFreestackAllocator;

test('invalid-free-foreign: detected as invalid-free (the page map has no entry for pages another owner mapped)', () => {
  const out = runMisuseCase(misuseCase('invalid-free-foreign'), factory);
  assert.equal(out.detected, true, JSON.stringify(out));
  if (!out.detected) return;
  assert.is(out.code, 'invalid-free');
  assert.ok(out.message.includes('not a block of this allocator'), out.message);
});

test.run();
