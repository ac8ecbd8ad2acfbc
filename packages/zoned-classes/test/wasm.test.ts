/*
 * Over a WebAssembly.Memory-backed space: the conformance suite (fewer runs: the backing, not the
 * sequences, is what this file checks), and the metadata view following the memory when it grows.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createAddressSpace } from '@heaplab/core';
import { conformanceChecks } from '@heaplab/core/testing';
import { createZonedAllocator } from '../src/index.js';

for (const c of conformanceChecks((space) => createZonedAllocator(space), { name: 'zoned-classes over wasm', backing: 'wasm', runs: 100 })) {
  test(`conformance over wasm memory: ${c.name}`, c.run);
}

test('the metadata and state views (lists, quarantines, page table, large table) follow the memory when wasm code grows it', () => {
  const W = (globalThis as unknown as { WebAssembly: { Memory: new (d: { initial: number; maximum: number }) => { buffer: ArrayBuffer; grow(n: number): number } } }).WebAssembly;
  const memory = new W.Memory({ initial: 512, maximum: 1024 });
  const space = createAddressSpace({ size: 32 * 2 ** 20, backing: 'wasm', memory });
  const a = createZonedAllocator(space);
  const p = a.malloc(100);
  const q = a.malloc(300_000);
  memory.grow(1); // as wasm code would: the old buffer is detached
  space.refresh();
  assert.is(a.usableSize(p), 104);
  assert.is(a.objectSize(q + 8), a.usableSize(q) - 8);
  a.free(p);
  a.free(q);
  a.check();
  assert.ok(a.partialHead.buffer === space.buffer && a.large.table.keys.buffer === space.buffer && a.quarantines[1]!.random.buffer === space.buffer);
  assert.ok(a.malloc(100) !== 0);
});

test.run();
