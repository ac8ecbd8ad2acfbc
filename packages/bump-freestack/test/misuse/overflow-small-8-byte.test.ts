/*
 * Misuse case overflow-small-8-byte (not detected) — bump-freestack's exact outcome.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { misuseCase, runMisuseCase } from '@heaplab/core/testing';
import { createBumpFreestackAllocator } from '../../src/index.js';

const factory = createBumpFreestackAllocator;

test('overflow-small-8-byte: not detected, and the heap stays consistent (no canaries: the bytes land in the next block of the run, nothing checks them)', () => {
  assert.equal(runMisuseCase(misuseCase('overflow-small-8-byte'), factory), { detected: false, corrupted: null, crashed: null });
});

test.run();
