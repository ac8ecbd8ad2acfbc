import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { PROT_NONE, PROT_READ, PROT_WRITE, SegmentationFault, createAddressSpace } from '../../src/index.js';

const GiB = 2 ** 30;
const MiB = 2 ** 20;
const fault = (address: number, access: string, mapping: RegExp) => (e: unknown) =>
  e instanceof SegmentationFault && e.address === address && e.access === access && mapping.test(e.mapping);

test('checked loads and stores round-trip little-endian values', () => {
  const s = createAddressSpace({ size: 64 * MiB });
  const a = s.mmap(0, 4096, PROT_READ | PROT_WRITE);
  s.store8(a, 0xab);
  s.store16(a + 2, 0xbeef);
  s.store32(a + 4, 0xdeadbeef);
  s.store64(a + 8, 0x0123456789abcdefn);
  assert.is(s.load8(a), 0xab);
  assert.is(s.load16(a + 2), 0xbeef);
  assert.is(s.load32(a + 4), 0xdeadbeef);
  assert.is(s.load64(a + 8), 0x0123456789abcdefn);
  s.write(a + 100, new Uint8Array([1, 2, 3]));
  assert.equal([...s.read(a + 100, 3)], [1, 2, 3]);
});

test('NULL and the header pages fault as unmapped', () => {
  const s = createAddressSpace({ size: 64 * MiB });
  assert.throws(() => s.load8(0), fault(0, 'read', /^unmapped$/));
  assert.throws(() => s.store8(100, 1), fault(100, 'write', /^unmapped$/));
});

test('access to PROT_NONE and read-only pages faults with the address and the mapping', () => {
  const s = createAddressSpace({ size: 64 * MiB });
  const a = s.mmap(0, 2 * 4096, PROT_NONE);
  assert.throws(() => s.load8(a + 5), fault(a + 5, 'read', /---p/));
  s.mprotect(a, 4096, PROT_READ);
  assert.is(s.load8(a + 5), 0);
  assert.throws(() => s.store8(a + 5, 1), fault(a + 5, 'write', /r--p/));
});

test('an access spanning into an unmapped page faults at that page', () => {
  const s = createAddressSpace({ size: 64 * MiB });
  const a = s.mmap(0, 2 * 4096, PROT_READ | PROT_WRITE);
  s.munmap(a + 4096, 4096);
  assert.throws(() => s.store32(a + 4094, 1), fault(a + 4096, 'write', /^unmapped$/));
  assert.throws(() => s.read(a + 4000, 200), fault(a + 4096, 'read', /^unmapped$/));
});

test('addresses above 2 GiB work in a 4 GiB space', () => {
  const s = createAddressSpace({ size: 4 * GiB });
  const a = s.mmap(0, 2 * 4096, PROT_READ | PROT_WRITE);
  assert.ok(a > 2 * GiB && a < 4 * GiB);
  s.store32(a + 4096 + 8, 0xfeedface);
  assert.is(s.u32[(a + 4096 + 8) >>> 2], 0xfeedface);
  assert.is(s.load32(a + 4096 + 8), 0xfeedface);
  const top = 4 * GiB - 4096;
  assert.is(s.protAt(top), PROT_READ | PROT_WRITE, 'the first mapping is at the very top');
  s.store8(4 * GiB - 1, 1);
  s.store8(a, 1);
  assert.is(s.load8(4 * GiB - 1), 1);
  assert.throws(() => s.load8(4 * GiB), (e: unknown) => e instanceof SegmentationFault);
  assert.match(s.maps(), /-100000000 rw-p/);
  assert.is(s.stats().resident, 2 * 4096);
});

test.run();
