/*
 * Misuse case write-after-free-small (not detected) — bump-freestack's exact outcome.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { misuseCase, runMisuseCase } from '@heaplab/core/testing';
import { createBumpFreestackAllocator } from '../../src/index.js';

const factory = createBumpFreestackAllocator;

test('write-after-free-small: not detected, and the heap stays consistent (freed blocks are not checked on reuse)', () => {
  assert.equal(runMisuseCase(misuseCase('write-after-free-small'), factory), { detected: false, corrupted: null, crashed: null });
});

test.run();
