// Misuse case double-free-small-delayed (see MISUSE_CASES in @heaplab/core/testing) against mmap-pages.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { misuseCase, runMisuseCase } from '@heaplab/core/testing';
import { createMmapPagesAllocator } from '../../src/index.js';

test('double-free-small-delayed is detected as double-free without guard pages', () => {
  const out = runMisuseCase(misuseCase('double-free-small-delayed'), (s) => createMmapPagesAllocator(s, { guardPage: false }));
  assert.ok(out.detected && out.code === 'double-free', JSON.stringify(out));
});

test('double-free-small-delayed is detected as double-free with a guard page', () => {
  const out = runMisuseCase(misuseCase('double-free-small-delayed'), (s) => createMmapPagesAllocator(s, { guardPage: true }));
  assert.ok(out.detected && out.code === 'double-free', JSON.stringify(out));
});

test.run();
