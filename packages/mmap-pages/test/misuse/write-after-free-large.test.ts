// Misuse case write-after-free-large (see MISUSE_CASES in @heaplab/core/testing) against mmap-pages.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { misuseCase, runMisuseCase } from '@heaplab/core/testing';
import { createMmapPagesAllocator } from '../../src/index.js';

test('write-after-free-large is detected as segfault without guard pages', () => {
  const out = runMisuseCase(misuseCase('write-after-free-large'), (s) => createMmapPagesAllocator(s, { guardPage: false }));
  assert.ok(out.detected && out.code === 'segfault', JSON.stringify(out));
});

test('write-after-free-large is detected as segfault with a guard page', () => {
  const out = runMisuseCase(misuseCase('write-after-free-large'), (s) => createMmapPagesAllocator(s, { guardPage: true }));
  assert.ok(out.detected && out.code === 'segfault', JSON.stringify(out));
});

test.run();
