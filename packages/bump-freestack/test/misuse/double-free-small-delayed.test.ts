/*
 * Misuse case double-free-small-delayed (detected: double-free) — bump-freestack's exact outcome.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { misuseCase, runMisuseCase } from '@heaplab/core/testing';
import { createBumpFreestackAllocator } from '../../src/index.js';

const factory = createBumpFreestackAllocator;

test('double-free-small-delayed: detected as double-free (the meta word says FREE whatever the order of frees)', () => {
  const out = runMisuseCase(misuseCase('double-free-small-delayed'), factory);
  assert.equal(out.detected, true, JSON.stringify(out));
  if (!out.detected) return;
  assert.is(out.code, 'double-free');
  assert.ok(out.message.includes('already freed'), out.message);
});

test.run();
