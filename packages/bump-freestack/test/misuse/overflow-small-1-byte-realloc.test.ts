/*
 * Misuse case overflow-small-1-byte-realloc (not detected) — bump-freestack's exact outcome.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { misuseCase, runMisuseCase } from '@heaplab/core/testing';
import { createBumpFreestackAllocator } from '../../src/index.js';

const factory = createBumpFreestackAllocator;

test('overflow-small-1-byte-realloc: not detected, and the heap stays consistent (no canaries: realloc moves the block, nothing checks the byte past it)', () => {
  assert.equal(runMisuseCase(misuseCase('overflow-small-1-byte-realloc'), factory), { detected: false, corrupted: null, crashed: null });
});

test.run();
