import { test } from 'uvu';
import * as assert from 'uvu/assert';
import wabtInit from 'wabt';
import { createAddressSpace, type AddressSpace } from '../../src/index.js';
import { TinyAllocator } from '../fixtures/tiny-allocator.js';

const WAT = `
(module
  (import "env" "memory" (memory 1))
  ;; fill(p, n, v): p[i] = v + i for i < n
  (func (export "fill") (param $p i32) (param $n i32) (param $v i32)
    (local $i i32)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (i32.store8 (i32.add (local.get $p) (local.get $i)) (i32.add (local.get $v) (local.get $i)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next))))
  ;; sum(p, n): the sum of the bytes p[0..n)
  (func (export "sum") (param $p i32) (param $n i32) (result i32)
    (local $i i32) (local $s i32)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $s (i32.add (local.get $s) (i32.load8_u (i32.add (local.get $p) (local.get $i)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (local.get $s))
  (func (export "grow") (param $pages i32) (result i32)
    (memory.grow (local.get $pages))))
`;

interface Exports {
  fill(p: number, n: number, v: number): void;
  sum(p: number, n: number): number;
  grow(pages: number): number;
}

async function instantiate(space: AddressSpace): Promise<Exports> {
  const wabt = await wabtInit();
  const binary = wabt.parseWat('heaplab-test.wat', WAT).toBinary({}).buffer;
  const WA = (globalThis as unknown as { WebAssembly: { instantiate(b: Uint8Array, i: object): Promise<{ instance: { exports: Exports } }> } }).WebAssembly;
  const { instance } = await WA.instantiate(binary, { env: { memory: space.memory } });
  return instance.exports;
}

test('a wasm module reads and writes blocks the allocator handed out from the same memory', async () => {
  const space = createAddressSpace({ size: 16 * 2 ** 20, backing: 'wasm' });
  const wasm = await instantiate(space);
  const a = new TinyAllocator(space);
  const p = a.malloc(100);
  const q = a.malloc(50);
  wasm.fill(p, 100, 10); // written by wasm
  for (let i = 0; i < 100; i++) assert.is(space.load8(p + i), (10 + i) & 255, 'JS sees what wasm wrote');
  for (let i = 0; i < 50; i++) space.store8(q + i, 2); // written by JS
  assert.is(wasm.sum(q, 50), 100, 'wasm sees what JS wrote');
  assert.ok(space.stats().resident > 0, 'pages written by wasm count as resident');
  a.free(p);
  a.free(q);
  a.check();
});

test('blocks above 2 GiB in a 4 GiB wasm memory are reachable from wasm', async () => {
  const space = createAddressSpace({ size: 4 * 2 ** 30, backing: 'wasm' });
  const wasm = await instantiate(space);
  const p = space.mmap(0, 4096, 3);
  assert.ok(p > 2 ** 31);
  wasm.fill(p, 16, 1);
  assert.is(space.u8[p + 15], 16);
  assert.is(wasm.sum(p, 16), (16 * 17) / 2);
});

test('when wasm grows the memory, refresh() remakes the views and tells the listeners', async () => {
  const WA = (globalThis as unknown as { WebAssembly: { Memory: new (d: object) => { buffer: ArrayBuffer; grow(n: number): number } } }).WebAssembly;
  const memory = new WA.Memory({ initial: 256, maximum: 512 });
  const space = createAddressSpace({ size: 16 * 2 ** 20, backing: 'wasm', memory });
  const wasm = await instantiate(space);
  const p = space.mmap(0, 4096, 3);
  space.store8(p, 42);
  let told = 0;
  space.onRefresh(() => told++);
  const before = space.u8;
  assert.is(wasm.grow(1), 256);
  assert.is(before.length, 0, 'the old view was detached by the growth');
  assert.ok(space.refresh());
  assert.is(told, 1);
  assert.is(space.u8[p], 42, 'contents survive');
  assert.is(space.load8(p), 42);
  assert.not.ok(space.refresh(), 'nothing changed since');
});

test.run();
