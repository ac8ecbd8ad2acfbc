import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createAddressSpace, PROT_READ, PROT_WRITE } from '../../src/index.js';

const RW = PROT_READ | PROT_WRITE;

test('raw accessors read and write the bytes the checked loads see, little-endian', () => {
  const s = createAddressSpace({ size: 2 ** 24 });
  const m = s.raw;
  const p = s.mmap(0, 8192, RW);
  m.setU32(p, 0xdeadbeef);
  assert.is(m.u32(p), 0xdeadbeef);
  assert.is(m.i32(p), 0xdeadbeef | 0);
  assert.is(m.u16(p), 0xbeef);
  assert.is(m.u8(p + 3), 0xde);
  assert.is(s.load32(p), 0xdeadbeef);
  m.setF64(p + 8, 2 ** 47 + 16);
  assert.is(m.f64(p + 8), 2 ** 47 + 16);
  m.setI32(p + 16, -2);
  assert.is(m.u32(p + 16), 0xfffffffe);
  m.setU16(p + 20, 0x1234);
  assert.is(s.load16(p + 20), 0x1234);
  m.setU8(p + 22, 0x1ff);
  assert.is(m.u8(p + 22), 0xff);
});

test('copy moves overlapping ranges as memmove, fill sets bytes as memset', () => {
  const s = createAddressSpace({ size: 2 ** 24 });
  const m = s.raw;
  const p = s.mmap(0, 8192, RW);
  for (let i = 0; i < 100; i++) m.setU8(p + i, i);
  m.copy(p + 10, p, 100);
  for (let i = 0; i < 100; i++) assert.is(m.u8(p + 10 + i), i);
  m.copy(p, p + 10, 100);
  for (let i = 0; i < 100; i++) assert.is(m.u8(p + i), i);
  m.fill(p + 200, 300, 0xab);
  assert.is(m.u8(p + 199), 0);
  assert.is(m.u8(p + 200), 0xab);
  assert.is(m.u8(p + 499), 0xab);
  assert.is(m.u8(p + 500), 0);
});

test('isZero and equal find one differing byte in short and long ranges', () => {
  const s = createAddressSpace({ size: 2 ** 24 });
  const m = s.raw;
  const p = s.mmap(0, 3 * 65536, RW);
  assert.ok(m.isZero(p, 3 * 65536));
  m.setU8(p + 2 * 65536 + 7, 1);
  assert.not.ok(m.isZero(p, 3 * 65536));
  assert.ok(m.isZero(p, 2 * 65536 + 7));
  assert.not.ok(m.isZero(p + 2 * 65536, 16));
  assert.ok(m.equal(p, p + 65536, 65536));
  assert.not.ok(m.equal(p + 65536, p + 2 * 65536, 65536));
  const out = m.readInto(p + 2 * 65536, new Uint8Array(8));
  assert.equal([...out], [0, 0, 0, 0, 0, 0, 0, 1]);
  m.writeFrom(p, Uint8Array.of(9, 8, 7));
  assert.is(m.u8(p + 2), 7);
});

test('atomicIndex addresses the word at an address in atomicWords and atomicWords64', () => {
  const s = createAddressSpace({ size: 2 ** 24, backing: 'shared' });
  const m = s.raw;
  const p = s.mmap(0, 4096, RW);
  Atomics.add(m.atomicWords, m.atomicIndex(p + 4), 5);
  assert.is(m.u32(p + 4), 5);
  Atomics.store(m.atomicWords64, m.atomicIndex64(p + 8), (7n << 32n) | 3n);
  assert.is(m.u32(p + 8), 3);
  assert.is(m.u32(p + 12), 7);
});

test('a 4 GiB flat space\'s 64-bit atomic view covers the whole space (its byte length is 2^32)', () => {
  const s = createAddressSpace({ size: 2 ** 32 });
  const m = s.raw;
  assert.is(m.atomicWords64.length, 2 ** 29);
  const p = s.mmap(0, 4096, RW);
  assert.ok(p > 2 ** 31, 'the mapping sits near the top of the space');
  Atomics.store(m.atomicWords64, m.atomicIndex64(p + 8), (9n << 32n) | 4n);
  assert.is(m.u32(p + 8), 4);
  assert.is(m.u32(p + 12), 9);
});

test('flat memory follows a wasm-backed space after its memory grows', () => {
  const WA = (globalThis as unknown as { WebAssembly: { Memory: new (d: { initial: number; maximum: number }) => { buffer: ArrayBuffer; grow(n: number): number } } }).WebAssembly;
  const memory = new WA.Memory({ initial: 64, maximum: 80 });
  const s = createAddressSpace({ size: 64 * 65536, backing: 'wasm', memory });
  const p = s.mmap(0, 4096, RW);
  s.raw.setU32(p, 41);
  memory.grow(1);
  assert.ok(s.refresh());
  assert.is(s.raw.u32(p), 41);
  s.raw.setU32(p, 42);
  assert.is(s.u32[p >>> 2], 42);
  assert.is(s.raw.atomicWords, s.i32);
});

test.run();
