// Misuse case size-mismatch-small (see MISUSE_CASES in @heaplab/core/testing) against mmap-pages.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { misuseCase, runMisuseCase } from '@heaplab/core/testing';
import { createMmapPagesAllocator } from '../../src/index.js';

test('size-mismatch-small is detected as size-mismatch without guard pages', () => {
  const out = runMisuseCase(misuseCase('size-mismatch-small'), (s) => createMmapPagesAllocator(s, { guardPage: false }));
  assert.ok(out.detected && out.code === 'size-mismatch', JSON.stringify(out));
});

test('size-mismatch-small is detected as size-mismatch with a guard page', () => {
  const out = runMisuseCase(misuseCase('size-mismatch-small'), (s) => createMmapPagesAllocator(s, { guardPage: true }));
  assert.ok(out.detected && out.code === 'size-mismatch', JSON.stringify(out));
});

test.run();
