// Misuse case access-size-0 (see MISUSE_CASES in @heaplab/core/testing) against mmap-pages.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { misuseCase, runMisuseCase } from '@heaplab/core/testing';
import { createMmapPagesAllocator } from '../../src/index.js';

test('access-size-0 is not detected without guard pages', () => {
  const out = runMisuseCase(misuseCase('access-size-0'), (s) => createMmapPagesAllocator(s, { guardPage: false }));
  assert.equal(out, { detected: false, corrupted: null, crashed: null });
});

test('access-size-0 is detected as segfault with a guard page', () => {
  const out = runMisuseCase(misuseCase('access-size-0'), (s) => createMmapPagesAllocator(s, { guardPage: true }));
  assert.ok(out.detected && out.code === 'segfault', JSON.stringify(out));
});

test.run();
