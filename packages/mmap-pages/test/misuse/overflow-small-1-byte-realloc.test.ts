// Misuse case overflow-small-1-byte-realloc (see MISUSE_CASES in @heaplab/core/testing) against mmap-pages.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { misuseCase, runMisuseCase } from '@heaplab/core/testing';
import { createMmapPagesAllocator } from '../../src/index.js';

test('overflow-small-1-byte-realloc is not detected without guard pages (realloc moves the block); check() finds the damaged neighbour', () => {
  const out = runMisuseCase(misuseCase('overflow-small-1-byte-realloc'), (s) => createMmapPagesAllocator(s, { guardPage: false }));
  assert.is(out.detected, false);
  assert.ok(!out.detected && out.corrupted !== null && /block headers found/.test(out.corrupted), JSON.stringify(out));
});

test('overflow-small-1-byte-realloc is detected as segfault with a guard page, before realloc runs', () => {
  const out = runMisuseCase(misuseCase('overflow-small-1-byte-realloc'), (s) => createMmapPagesAllocator(s, { guardPage: true }));
  assert.ok(out.detected && out.code === 'segfault', JSON.stringify(out));
});

test.run();
