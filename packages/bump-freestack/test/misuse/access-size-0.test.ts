/*
 * Misuse case access-size-0 (not detected) — bump-freestack's exact outcome.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { misuseCase, runMisuseCase } from '@heaplab/core/testing';
import { createBumpFreestackAllocator } from '../../src/index.js';

const factory = createBumpFreestackAllocator;

test('access-size-0: not detected, and the heap stays consistent (malloc(0) is a 16-byte block of class 16, readable)', () => {
  assert.equal(runMisuseCase(misuseCase('access-size-0'), factory), { detected: false, corrupted: null, crashed: null });
});

test.run();
