/*
 * AllocatorBase.malloc and free test their arguments inline (the replay engine calls them once
 * per event) and call validate.ts's checks only to throw. These tests hold the inline tests to
 * exactly validate.ts's rules: every value checkSize / checkPointer rejects is rejected by malloc
 * / free with the same error code and message, before any state changes, and every value they
 * accept is accepted.
 */

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { AllocatorError, checkPointer, checkSize, createAddressSpace } from '../../src/index.js';
import { TinyAllocator } from '../fixtures/tiny-allocator.js';

const WEIRD: unknown[] = [-1, -0.5, 1.5, NaN, Infinity, -Infinity, 2 ** 53, 2 ** 53 + 2, 2 ** 32, 2 ** 32 - 1, -0, 0, 7, '8', null, undefined, true, {}, [8], 8n];

function outcome(f: () => unknown): string {
  try {
    f();
    return 'ok';
  } catch (e) {
    if (e instanceof AllocatorError) return `${e.code}: ${e.message}`;
    throw e;
  }
}

test('malloc rejects exactly what checkSize rejects, with its code and message', () => {
  const a = new TinyAllocator(createAddressSpace({ size: 2 ** 24 }));
  const label = a.identity.label;
  for (const v of WEIRD) {
    const expected = outcome(() => checkSize(v, 'size', label));
    const got = outcome(() => a.malloc(v as number));
    assert.is(got, expected, `malloc(${String(v)})`);
  }
  const s = a.stats();
  assert.is(s.calls.malloc, WEIRD.filter((v) => outcome(() => checkSize(v)) === 'ok').length, 'only accepted calls are counted');
});

test('free rejects exactly what checkPointer rejects, with its code and message', () => {
  const a = new TinyAllocator(createAddressSpace({ size: 2 ** 24 }));
  const label = a.identity.label;
  for (const v of WEIRD) {
    const expected = outcome(() => checkPointer(v, label));
    if (expected === 'ok' && v !== 0 && !Object.is(v, -0)) continue; // a real free of a wild address is the allocator's business
    const got = outcome(() => a.free(v as number));
    assert.is(got, expected, `free(${String(v)})`);
  }
  assert.is(a.stats().calls.free, 0, 'free(0) is a no-op and is not counted');
});

test('free of a live block after the inline checks still frees it, and a bad size is still rejected', () => {
  const a = new TinyAllocator(createAddressSpace({ size: 2 ** 24 }));
  const p = a.malloc(100);
  assert.is(outcome(() => a.free(p, 1.5)), outcome(() => checkSize(1.5, 'size', a.identity.label)));
  a.free(p);
  assert.is(a.stats().calls.free, 1);
  assert.is(a.stats().liveBlocks, 0);
});

test.run();
