import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { MADV_DONTNEED, PROT_NONE, PROT_READ, PROT_WRITE, createAddressSpace } from '../../src/index.js';

const MiB = 2 ** 20;

test('mapped pages cost nothing until written', () => {
  const s = createAddressSpace({ size: 64 * MiB });
  s.mmap(0, 100 * 4096, PROT_READ | PROT_WRITE);
  const st = s.stats();
  assert.is(st.mapped, 100 * 4096);
  assert.is(st.committed, 100 * 4096);
  assert.is(st.resident, 0);
});

test('residency rises when a page is written, through checked stores or raw views', () => {
  const s = createAddressSpace({ size: 64 * MiB });
  const a = s.mmap(0, 10 * 4096, PROT_READ | PROT_WRITE);
  s.store32(a + 4096, 5); // checked: counted at once
  s.u8[a + 5 * 4096 + 100] = 1; // raw: found by the scan when figures are sampled
  assert.is(s.stats().resident, 2 * 4096);
  s.load8(a + 8 * 4096); // reads do not make pages resident
  assert.is(s.stats().resident, 2 * 4096);
});

test('residency falls after munmap and pages read zero when mapped again', () => {
  const s = createAddressSpace({ size: 64 * MiB });
  const a = s.mmap(0, 4 * 4096, PROT_READ | PROT_WRITE);
  s.u8.fill(3, a, a + 4 * 4096);
  assert.is(s.stats().resident, 4 * 4096);
  s.munmap(a, 4 * 4096);
  assert.is(s.stats().resident, 0);
  assert.is(s.stats().peakResident, 4 * 4096);
  const b = s.mmap(a, 4 * 4096, PROT_READ | PROT_WRITE);
  assert.is(b, a);
  assert.is(s.u8[a + 100], 0);
});

test('a page written and then made read-only still counts as resident', () => {
  const s = createAddressSpace({ size: 64 * MiB });
  const a = s.mmap(0, 4096, PROT_READ | PROT_WRITE);
  s.u8[a] = 1;
  s.mprotect(a, 4096, PROT_READ);
  assert.is(s.stats().resident, 4096);
});

test('heap pages written through raw views are resident; the unwritten tail is not', () => {
  const s = createAddressSpace({ size: 64 * MiB });
  const p = s.sbrk(8 * 4096);
  s.u8[p] = 1;
  assert.is(s.stats().resident, 4096);
});

test('bytes written through raw views anywhere in a long run of pages read zero after munmap and madvise', () => {
  const s = createAddressSpace({ size: 64 * MiB });
  const n = 40; // more than one 64 KiB compare run
  const a = s.mmap(0, n * 4096, PROT_READ | PROT_WRITE);
  const spots = [0, 4095, 15 * 4096 + 7, 16 * 4096, 33 * 4096 + 2048, n * 4096 - 1];
  for (const at of spots) s.u8[a + at] = 0xa5;
  s.munmap(a, n * 4096);
  const b = s.mmap(a, n * 4096, PROT_READ | PROT_WRITE);
  assert.is(b, a);
  for (const at of spots) assert.is(s.u8[b + at], 0, `byte ${at} after munmap`);
  for (const at of spots) s.u8[b + at] = 0x5a;
  s.madvise(b, n * 4096, MADV_DONTNEED);
  for (const at of spots) assert.is(s.u8[b + at], 0, `byte ${at} after madvise`);
  assert.is(s.stats().resident, 0);
});

test('raw writes to scattered writable pages inside a large reservation are all counted', () => {
  const s = createAddressSpace({ size: 64 * MiB });
  const n = 1000;
  const a = s.mmap(0, n * 4096, PROT_NONE);
  const writable = [3, 8, 9, 15, 16, 250, 251, 252, 253, 254, 255, 256, 257, 511, 999];
  for (const i of writable) s.mprotect(a + i * 4096, 4096, PROT_READ | PROT_WRITE);
  const written = writable.filter((_, k) => k % 2 === 0);
  for (const i of written) s.u8[a + i * 4096 + (i % 4096)] = 1;
  assert.is(s.stats().resident, written.length * 4096);
  s.u8[a + 15 * 4096 + 4095] = 1; // one more, after a sample that found page 15 empty
  assert.is(s.stats().resident, (written.length + 1) * 4096);
});

test.run();
