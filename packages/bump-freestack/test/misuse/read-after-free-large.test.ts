/*
 * Misuse case read-after-free-large (detected: segfault) — bump-freestack's exact outcome.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { misuseCase, runMisuseCase } from '@heaplab/core/testing';
import { createBumpFreestackAllocator } from '../../src/index.js';

const factory = createBumpFreestackAllocator;

test('read-after-free-large: detected as segfault (large blocks are munmapped on free)', () => {
  const out = runMisuseCase(misuseCase('read-after-free-large'), factory);
  assert.equal(out.detected, true, JSON.stringify(out));
  if (!out.detected) return;
  assert.is(out.code, 'segfault');
  assert.ok(out.message.includes('unmapped'), out.message);
});

test.run();
