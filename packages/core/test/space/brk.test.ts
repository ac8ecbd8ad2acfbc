import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { KernelError, createAddressSpace, createIdentity } from '../../src/index.js';

const MiB = 2 ** 20;
const owner = createIdentity({ name: 'heap-user', family: 'test', description: 'owns the heap in tests' });

test('sbrk returns the old break and grows the heap segment from start_brk', () => {
  const s = createAddressSpace({ size: 64 * MiB });
  const start = s.startBrk;
  assert.is(start, s.headerBytes);
  assert.is(s.sbrk(100, owner), start);
  assert.is(s.currentBrk, start + 100);
  assert.is(s.protAt(start + 99), 3);
  assert.is(s.protAt(start + 4095), 3, 'the whole last page is mapped');
  assert.is(s.protAt(start + 4096), -1);
  assert.match(s.maps(), /rw-p 00000000 00:00 0 +\[heap\] heap-user#\d+/);
});

test('brk shrinks only from the top: pages above the new break are unmapped and read zero when regrown', () => {
  const s = createAddressSpace({ size: 64 * MiB });
  const start = s.sbrk(5 * 4096);
  s.u8[start + 4 * 4096 + 10] = 7;
  s.brk(start + 2 * 4096);
  assert.is(s.protAt(start + 4096), 3, 'lower pages stay');
  assert.is(s.protAt(start + 3 * 4096), -1, 'upper pages are gone');
  assert.is(s.stats().mapped, 2 * 4096);
  s.sbrk(3 * 4096);
  assert.is(s.u8[start + 4 * 4096 + 10], 0, 'regrown page reads zero');
});

test('brk below start_brk or past a mapping fails with ENOMEM and leaves the break', () => {
  const s = createAddressSpace({ size: 64 * MiB });
  const start = s.startBrk;
  assert.throws(() => s.brk(start - 4096), (e: unknown) => e instanceof KernelError && e.code === 'ENOMEM');
  s.mmap(start + 8 * 4096, 4096, 3, 0x100000);
  assert.throws(() => s.sbrk(9 * 4096), (e: unknown) => e instanceof KernelError && e.code === 'ENOMEM' && /is mapped/.test(e.message));
  assert.is(s.currentBrk, start);
  s.sbrk(8 * 4096); // up to the mapping is fine
  assert.is(s.currentBrk, start + 8 * 4096);
});

test('brk(0) returns the break and bad arguments are EINVAL', () => {
  const s = createAddressSpace({ size: 64 * MiB });
  assert.is(s.brk(0), s.startBrk);
  assert.throws(() => s.sbrk(1.5), (e: unknown) => e instanceof KernelError && e.code === 'EINVAL');
  assert.throws(() => s.brk(-1), (e: unknown) => e instanceof KernelError && e.code === 'EINVAL');
  assert.is(s.stats().calls.brk, 0, 'failed calls are not counted as brk calls');
});

test.run();
