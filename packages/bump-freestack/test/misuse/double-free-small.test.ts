/*
 * Misuse case double-free-small (detected: double-free) — bump-freestack's exact outcome.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { misuseCase, runMisuseCase } from '@heaplab/core/testing';
import { createBumpFreestackAllocator } from '../../src/index.js';

const factory = createBumpFreestackAllocator;

test('double-free-small: detected as double-free (its meta word says FREE: it sits in the local cache)', () => {
  const out = runMisuseCase(misuseCase('double-free-small'), factory);
  assert.equal(out.detected, true, JSON.stringify(out));
  if (!out.detected) return;
  assert.is(out.code, 'double-free');
  assert.ok(out.message.includes('already freed'), out.message);
});

test.run();
