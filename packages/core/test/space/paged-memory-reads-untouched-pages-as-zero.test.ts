import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { PROT_READ, PROT_WRITE, SegmentationFault, createAddressSpace } from '../../src/index.js';

const RW = PROT_READ | PROT_WRITE;
const TOP = 2 ** 47;

test('raw reads of untouched pages are zero and take no frame; the first write takes one', () => {
  const s = createAddressSpace({ size: TOP });
  const m = s.raw;
  assert.is(m.kind, 'paged');
  const a = s.mmap(0, 16 * 4096, RW);
  assert.is(m.u32(a + 4096), 0);
  assert.is(m.f64(a + 8), 0);
  assert.ok(m.isZero(a, 16 * 4096));
  m.fill(a, 16 * 4096, 0);
  assert.is(s.frames!.framesInUse, 0, 'reading and zero-filling took frames');
  m.setF64(a + 4096 + 8, 2 ** 47 - 4096);
  assert.is(m.f64(a + 4096 + 8), 2 ** 47 - 4096);
  assert.is(s.frames!.framesInUse, 1);
  assert.not.ok(m.isZero(a, 16 * 4096));
});

test('raw accessors are little-endian and agree with the checked loads above 2^32', () => {
  const s = createAddressSpace({ size: TOP });
  const m = s.raw;
  const p = s.mmap(0, 8192, RW);
  m.setU32(p, 0xdeadbeef);
  assert.is(m.u32(p), 0xdeadbeef);
  assert.is(m.i32(p), 0xdeadbeef | 0);
  assert.is(m.u16(p), 0xbeef);
  assert.is(m.u8(p + 3), 0xde);
  assert.is(s.load32(p), 0xdeadbeef);
  m.setI32(p + 16, -2);
  assert.is(m.u32(p + 16), 0xfffffffe);
  m.setU16(p + 20, 0x1234);
  assert.is(s.load16(p + 20), 0x1234);
  m.setU8(p + 22, 0x1ff);
  assert.is(m.u8(p + 22), 0xff);
});

test('copy, fill, equal, readInto and writeFrom work across page boundaries', () => {
  const s = createAddressSpace({ size: TOP });
  const m = s.raw;
  const p = s.mmap(0, 4 * 4096, RW);
  const edge = p + 4096 - 50;
  for (let i = 0; i < 100; i++) m.setU8(edge + i, i + 1);
  m.copy(edge + 10, edge, 100); // overlapping, forward over the page boundary
  for (let i = 0; i < 100; i++) assert.is(m.u8(edge + 10 + i), i + 1);
  m.copy(edge, edge + 10, 100); // overlapping, backward
  for (let i = 0; i < 100; i++) assert.is(m.u8(edge + i), i + 1);
  m.copy(p + 3 * 4096 - 20, p + 2 * 4096 - 20, 40); // from a page with no frame: zeros
  assert.ok(m.isZero(p + 3 * 4096 - 20, 40));
  assert.ok(m.equal(edge, edge, 100));
  m.fill(p + 2 * 4096 - 3, 6, 0xab);
  assert.equal([...m.readInto(p + 2 * 4096 - 4, new Uint8Array(8))], [0, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0]);
  m.writeFrom(p + 4096 - 2, new Uint8Array([9, 8, 7, 6]));
  assert.is(s.load32(p + 4096 - 2), 0x06070809);
});

test('equal compares across pages, with pages that have no frame reading as zero', () => {
  const s = createAddressSpace({ size: TOP });
  const m = s.raw;
  const p = s.mmap(0, 8 * 4096, RW);
  const q = s.mmap(0, 8 * 4096, RW);
  assert.ok(m.equal(p + 100, q + 3000, 3 * 4096), 'two untouched ranges are equal');
  m.setU8(q + 5 * 4096 + 7, 0); // q's page 5 takes a frame, still zero
  assert.ok(m.equal(p + 4096, q + 4 * 4096, 3 * 4096));
  for (let i = 0; i < 5000; i++) {
    m.setU8(p + 4000 + i, i & 0xff);
    m.setU8(q + 2 * 4096 + 100 + i, i & 0xff);
  }
  assert.ok(m.equal(p + 4000, q + 2 * 4096 + 100, 5000));
  assert.ok(m.isZero(p + 4000 + 5000, 4096));
  m.setU8(q + 2 * 4096 + 100 + 4500, 1);
  assert.not.ok(m.equal(p + 4000, q + 2 * 4096 + 100, 5000));
  assert.not.ok(m.equal(p + 4000, q + 7 * 4096, 100), 'written bytes against a page with no frame');
  assert.not.ok(m.isZero(p + 3000, 2000));
});

test('atomics operate on the frame behind a paged address', () => {
  const s = createAddressSpace({ size: TOP });
  const m = s.raw;
  const p = s.mmap(0, 4096, RW) + 64;
  Atomics.add(m.atomicWords, m.atomicIndex(p), 5);
  Atomics.add(m.atomicWords, m.atomicIndex(p), 2);
  assert.is(m.i32(p), 7);
  Atomics.store(m.atomicWords64, m.atomicIndex64(p + 8), 2n ** 47n + 1n);
  assert.is(m.u32(p + 12), 2 ** 15);
});

test('a raw write to an unmapped page of a paged space throws SegmentationFault', () => {
  const s = createAddressSpace({ size: TOP });
  const p = s.mmap(0, 4096, RW);
  s.munmap(p, 4096);
  assert.is(s.raw.u8(p), 0);
  assert.throws(() => s.raw.setU8(p, 1), (e: unknown) => e instanceof SegmentationFault && e.address === p);
});

test('a raw read after munmap and a new mapping at the same address sees zeros', () => {
  const s = createAddressSpace({ size: TOP });
  const p = s.mmap(0, 4096, RW);
  s.raw.setU32(p, 42);
  assert.is(s.raw.u32(p), 42);
  s.munmap(p, 4096);
  const q = s.mmap(0, 4096, RW);
  assert.is(q, p);
  assert.is(s.raw.u32(q), 0, 'a stale translation survived munmap');
});

test.run();
