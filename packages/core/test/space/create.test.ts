import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { KernelError, attachAddressSpace, createAddressSpace } from '../../src/index.js';

const MiB = 2 ** 20;

test('bad space options are rejected with EINVAL naming the option', () => {
  assert.throws(() => createAddressSpace({ size: 1000 }), /size must be a multiple/);
  assert.throws(() => createAddressSpace({ size: 2 ** 48 }), /at most 2\^47/);
  assert.throws(() => createAddressSpace({ pageSize: 8192 }), /pageSize must be 4096 or 65536/);
  assert.throws(() => createAddressSpace({ backing: 'disk' as 'array' }), /backing must be/);
  assert.throws(() => createAddressSpace({ size: 8192 }), (e: unknown) => e instanceof KernelError && /no room/.test(e.message));
});

test('64 KiB pages are supported', () => {
  const s = createAddressSpace({ size: 64 * MiB, pageSize: 65536 });
  const a = s.mmap(0, 1, 3);
  assert.is(a % 65536, 0);
  assert.is(s.stats().mapped, 65536);
});

test('attach reads the state a space left in its buffer, and refuses other buffers', () => {
  const s = createAddressSpace({ size: 64 * MiB, backing: 'shared' });
  const a = s.mmap(0, 4096, 3);
  const t = attachAddressSpace(s.buffer);
  assert.is(t.protAt(a), 3);
  assert.is(t.size, s.size);
  assert.throws(() => attachAddressSpace(new SharedArrayBuffer(65536)), /no heaplab address space/);
});

test.run();
