/*
 * Misuse case overflow-large (not detected) — bump-freestack's exact outcome.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { misuseCase, runMisuseCase } from '@heaplab/core/testing';
import { createBumpFreestackAllocator } from '../../src/index.js';

const factory = createBumpFreestackAllocator;

test('overflow-large: not detected, and the heap stays consistent (a 256 KiB request is a whole number of pages and the next page is mapped: no guard pages)', () => {
  assert.equal(runMisuseCase(misuseCase('overflow-large'), factory), { detected: false, corrupted: null, crashed: null });
});

test.run();
