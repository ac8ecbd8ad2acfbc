// Misuse case invalid-free-foreign (see MISUSE_CASES in @heaplab/core/testing) against mmap-pages.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { misuseCase, runMisuseCase } from '@heaplab/core/testing';
import { createMmapPagesAllocator } from '../../src/index.js';

test('invalid-free-foreign is detected as invalid-free without guard pages', () => {
  const out = runMisuseCase(misuseCase('invalid-free-foreign'), (s) => createMmapPagesAllocator(s, { guardPage: false }));
  assert.ok(out.detected && out.code === 'invalid-free', JSON.stringify(out));
});

test('invalid-free-foreign is detected as invalid-free with a guard page', () => {
  const out = runMisuseCase(misuseCase('invalid-free-foreign'), (s) => createMmapPagesAllocator(s, { guardPage: true }));
  assert.ok(out.detected && out.code === 'invalid-free', JSON.stringify(out));
});

test.run();
