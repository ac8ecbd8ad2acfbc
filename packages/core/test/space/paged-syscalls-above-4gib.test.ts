import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  ConfigError, KernelError, attachAddressSpace, MADV_DONTNEED, MAP_FIXED, MAP_FIXED_NOREPLACE, PROT_NONE, PROT_READ, PROT_WRITE, SegmentationFault,
  createAddressSpace, createIdentity,
} from '../../src/index.js';

const MiB = 2 ** 20;
const TOP = 2 ** 47;
const RW = PROT_READ | PROT_WRITE;
const errno = (code: string) => (e: unknown) => e instanceof KernelError && e.code === code;
const segv = (addr: number, access: string) => (e: unknown) => e instanceof SegmentationFault && e.address === addr && e.access === access;

test('a space of 2^47 bytes is paged and maps top-down from its top', () => {
  const s = createAddressSpace({ size: TOP });
  assert.ok(s.paged);
  assert.is(s.size, TOP);
  const a = s.mmap(0, 4096, RW);
  const b = s.mmap(0, 8192, RW);
  assert.is(a, TOP - 4096);
  assert.is(b, a - 8192);
});

test('spaces of at most 4 GiB without physical stay flat', () => {
  const s = createAddressSpace({ size: 4 * 2 ** 30 });
  assert.not.ok(s.paged);
  assert.is(s.frames, undefined);
  assert.is(s.stats().frames, undefined);
});

test('a free hint above 2^32 is honoured and an occupied one is not', () => {
  const s = createAddressSpace({ size: TOP });
  const hint = 2 ** 40 + 5 * 4096;
  assert.is(s.mmap(hint, 4096, RW), hint);
  const again = s.mmap(hint, 4096, RW);
  assert.is.not(again, hint);
});

test('MAP_FIXED above 2^32 replaces what was there and MAP_FIXED_NOREPLACE refuses it', () => {
  const s = createAddressSpace({ size: TOP });
  const at = 2 ** 45 + 2 ** 33;
  s.mmap(at, 3 * 4096, RW, MAP_FIXED);
  s.store32(at + 4096, 0xabcd);
  assert.throws(() => s.mmap(at + 4096, 4096, RW, MAP_FIXED_NOREPLACE), errno('EEXIST'));
  assert.is(s.mmap(at + 4096, 4096, PROT_READ, MAP_FIXED), at + 4096);
  assert.is(s.load32(at + 4096), 0, 'a page mapped over the old one reads as zero');
  assert.equal(s.mappings().map((m) => [m.start - at, m.end - at, m.prot]), [[0, 4096, RW], [4096, 8192, PROT_READ], [8192, 12288, RW]]);
});

test('munmap of the middle of a mapping above 2^32 leaves two mappings', () => {
  const s = createAddressSpace({ size: TOP });
  const a = s.mmap(0, 5 * 4096, RW);
  assert.ok(a > 2 ** 32);
  s.munmap(a + 2 * 4096, 4096);
  assert.equal(s.mappings().map((m) => [m.start - a, m.end - a]), [[0, 2 * 4096], [3 * 4096, 5 * 4096]]);
  assert.throws(() => s.load8(a + 2 * 4096), segv(a + 2 * 4096, 'read'));
});

test('mprotect above 2^32 splits the mapping and faults writes to the read-only part', () => {
  const s = createAddressSpace({ size: TOP });
  const a = s.mmap(0, 4 * 4096, RW);
  s.store8(a + 4096, 1);
  s.mprotect(a + 4096, 2 * 4096, PROT_READ);
  assert.is(s.protAt(a + 4096), PROT_READ);
  assert.is(s.protAt(a), RW);
  assert.is(s.mappings().length, 3);
  assert.is(s.load8(a + 4096), 1, 'a page losing write access keeps its bytes');
  assert.throws(() => s.store8(a + 4096 + 7, 2), segv(a + 4096 + 7, 'write'));
  s.mprotect(a, 4 * 4096, PROT_NONE);
  assert.throws(() => s.load8(a), segv(a, 'read'));
  assert.not.ok(s.accessible(a, 4096, PROT_READ));
  assert.throws(() => s.mprotect(a - 4096, 4096, RW), errno('ENOMEM'));
});

test('MADV_DONTNEED above 2^32 zeroes the pages and gives their frames back', () => {
  const s = createAddressSpace({ size: TOP });
  const a = s.mmap(0, 4 * 4096, RW);
  for (let i = 0; i < 4; i++) s.store32(a + i * 4096, i + 1);
  assert.is(s.stats().frames!.inUse, 4);
  assert.is(s.stats().resident, 4 * 4096);
  s.madvise(a + 4096, 2 * 4096, MADV_DONTNEED);
  assert.is(s.stats().frames!.inUse, 2);
  assert.is(s.stats().resident, 2 * 4096);
  assert.is(s.load32(a + 4096), 0);
  assert.is(s.load32(a + 3 * 4096), 4);
  assert.is(s.raw.u32(a + 2 * 4096), 0);
  assert.throws(() => s.madvise(a - 4096, 4096, MADV_DONTNEED), errno('ENOMEM'));
});

test('brk grows and shrinks the heap of a paged space; shrinking gives frames back', () => {
  const s = createAddressSpace({ size: TOP });
  const start = s.sbrk(0);
  s.sbrk(3 * 4096);
  for (let i = 0; i < 3; i++) s.store8(start + i * 4096, 9);
  assert.is(s.stats().frames!.inUse, 3);
  s.sbrk(-2 * 4096);
  assert.is(s.currentBrk, start + 4096);
  assert.is(s.stats().frames!.inUse, 1);
  s.sbrk(2 * 4096);
  assert.is(s.load8(start + 4096), 0, 'a page given back by brk reads as zero when the heap grows again');
  assert.ok(s.mappings()[0]!.heap);
  assert.throws(() => s.brk(start - 4096), errno('ENOMEM'));
});

test('a reservation of terabytes is mapped, split and unmapped without touching its pages', () => {
  const s = createAddressSpace({ size: TOP });
  const r = s.mmap(0, 2 ** 44, PROT_NONE);
  const inside = r + 2 ** 43 + 7 * 4096;
  s.mprotect(inside, 4096, RW);
  s.store8(inside + 1, 5);
  assert.equal(s.mappings().map((m) => m.end - m.start), [inside - r, 4096, r + 2 ** 44 - inside - 4096]);
  assert.is(s.stats().mapped, 2 ** 44);
  assert.is(s.stats().committed, 4096);
  assert.is(s.mappingAt(r + 2 ** 42)!.start, r);
  s.munmap(r, 2 ** 44);
  assert.is(s.stats().mapped, 0);
  assert.is(s.stats().frames!.inUse, 0);
});

test('mprotect of a reservation spanning many page-table chunks changes it whole and keeps written pages', () => {
  const s = createAddressSpace({ size: TOP });
  const r = s.mmap(0, 2 ** 38 + 3 * 4096, PROT_NONE); // starts and ends inside chunks
  s.mprotect(r, 2 ** 38 + 3 * 4096, RW);
  assert.is(s.stats().committed, 2 ** 38 + 3 * 4096);
  assert.is(s.mappings().length, 1);
  s.store32(r + 2 ** 37 + 12, 99);
  s.mprotect(r + 4096, 2 ** 38, PROT_READ);
  assert.equal(s.mappings().map((m) => [m.start - r, m.end - r, m.prot]), [[0, 4096, RW], [4096, 2 ** 38 + 4096, PROT_READ], [2 ** 38 + 4096, 2 ** 38 + 3 * 4096, RW]]);
  assert.is(s.stats().committed, 3 * 4096);
  assert.is(s.load32(r + 2 ** 37 + 12), 99);
  assert.throws(() => s.store8(r + 2 ** 37, 1), segv(r + 2 ** 37, 'write'));
  assert.is(s.mappingAt(r + 2 ** 37)!.start, r + 4096);
  s.munmap(r, 2 ** 38 + 3 * 4096);
  assert.equal([s.stats().mapped, s.stats().committed, s.stats().resident], [0, 0, 0]);
});

test('maps() prints addresses above 2^32 in full, as /proc/<pid>/maps', () => {
  const s = createAddressSpace({ size: TOP });
  const id = createIdentity({ name: 'zoned', family: 'test', parameters: {}, description: 'test' });
  s.sbrk(4096, id);
  s.mmap(0, 4096, RW, 0, id);
  const lines = s.maps().trimEnd().split('\n');
  assert.is(lines.length, 2);
  assert.match(lines[0]!, /^00100000-00101000 rw-p 00000000 00:00 0 +\[heap\] zoned#\d+$/);
  assert.match(lines[1]!, /^7ffffffff000-800000000000 rw-p 00000000 00:00 0 +zoned#\d+$/);
});

test('owners of pages above 2^32 are found by ownerAt, allocatorAt and whoOwns', () => {
  const s = createAddressSpace({ size: TOP });
  const id = createIdentity({ name: 'big', family: 'test', parameters: {}, description: 'test' });
  const a = s.mmap(2 ** 46, 8192, RW, MAP_FIXED, id);
  assert.is(s.ownerAt(a + 4100), id);
  assert.is(s.ownerIndexAt(a + 8192), 0);
  assert.is(s.ownerAt(a - 1), null);
  assert.match(s.whoOwns(a + 8192).text, /unmapped/);
  assert.match(s.whoOwns(a + 5).text, /big#\d+/);
});

test('checked access above 2^32 faults outside mappings, past the end and at non-integers', () => {
  const s = createAddressSpace({ size: TOP });
  const a = s.mmap(0, 4096, RW);
  assert.throws(() => s.store8(a - 1, 1), segv(a - 1, 'write'));
  assert.throws(() => s.load32(TOP - 2), segv(TOP - 2, 'read'));
  assert.throws(() => s.load8(2 ** 33 + 0.5), (e: unknown) => e instanceof SegmentationFault);
  assert.throws(() => s.fill(a + 4000, 0, 200), segv(a + 4000, 'write'));
  s.store64(a + 8, 0x1122334455667788n);
  assert.is(s.load64(a + 8), 0x1122334455667788n);
  s.write(a + 4090, new Uint8Array([1, 2, 3, 4, 5, 6]));
  assert.equal([...s.read(a + 4090, 6)], [1, 2, 3, 4, 5, 6]);
});

test('paged spaces refuse shared and wasm backings with a ConfigError, and cannot be attached', () => {
  assert.throws(() => createAddressSpace({ size: 2 ** 40, backing: 'shared' }), (e: unknown) => e instanceof ConfigError && /paged space/.test(e.message));
  assert.throws(() => createAddressSpace({ size: 64 * MiB, physical: 16 * MiB, backing: 'wasm' }), (e: unknown) => e instanceof ConfigError);
  const s = createAddressSpace({ size: 2 ** 40 });
  assert.throws(() => attachAddressSpace(s.buffer), /a paged space cannot be attached/);
});

test.run();
