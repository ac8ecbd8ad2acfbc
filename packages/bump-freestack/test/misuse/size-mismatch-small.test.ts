/*
 * Misuse case size-mismatch-small (detected: size-mismatch) — bump-freestack's exact outcome.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { misuseCase, runMisuseCase } from '@heaplab/core/testing';
import { createBumpFreestackAllocator } from '../../src/index.js';

const factory = createBumpFreestackAllocator;

test('size-mismatch-small: detected as size-mismatch (the requested size is kept out of band per block)', () => {
  const out = runMisuseCase(misuseCase('size-mismatch-small'), factory);
  assert.equal(out.detected, true, JSON.stringify(out));
  if (!out.detected) return;
  assert.is(out.code, 'size-mismatch');
  assert.ok(out.message.includes('of a block of 32 bytes'), out.message);
});

test.run();
