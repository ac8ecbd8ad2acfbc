/*
 * Misuse case double-free-large (detected: double-free) — bump-freestack's exact outcome.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { misuseCase, runMisuseCase } from '@heaplab/core/testing';
import { createBumpFreestackAllocator } from '../../src/index.js';

const factory = createBumpFreestackAllocator;

test('double-free-large: detected as double-free (the page map keeps a FREED mark on the unmapped first page)', () => {
  const out = runMisuseCase(misuseCase('double-free-large'), factory);
  assert.equal(out.detected, true, JSON.stringify(out));
  if (!out.detected) return;
  assert.is(out.code, 'double-free');
  assert.ok(out.message.includes('large block already freed'), out.message);
});

test.run();
