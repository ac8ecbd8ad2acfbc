// Misuse case overflow-small-8-byte (see MISUSE_CASES in @heaplab/core/testing) against mmap-pages.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { misuseCase, runMisuseCase } from '@heaplab/core/testing';
import { createMmapPagesAllocator } from '../../src/index.js';

test('overflow-small-8-byte is not detected without guard pages; check() finds the damaged neighbour', () => {
  const out = runMisuseCase(misuseCase('overflow-small-8-byte'), (s) => createMmapPagesAllocator(s, { guardPage: false }));
  assert.is(out.detected, false);
  assert.ok(!out.detected && out.corrupted !== null && /block headers found/.test(out.corrupted), JSON.stringify(out));
});

test('overflow-small-8-byte is detected as segfault with a guard page', () => {
  const out = runMisuseCase(misuseCase('overflow-small-8-byte'), (s) => createMmapPagesAllocator(s, { guardPage: true }));
  assert.ok(out.detected && out.code === 'segfault', JSON.stringify(out));
});

test.run();
