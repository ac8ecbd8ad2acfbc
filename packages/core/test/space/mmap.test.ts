import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { KernelError, MAP_FIXED, MAP_FIXED_NOREPLACE, MADV_DONTNEED, PROT_NONE, PROT_READ, PROT_WRITE, createAddressSpace, createIdentity } from '../../src/index.js';

const MiB = 2 ** 20;
const RW = PROT_READ | PROT_WRITE;
const errno = (code: string) => (e: unknown) => e instanceof KernelError && e.code === code;

test('mmap places mappings top-down from the top of the space', () => {
  const s = createAddressSpace({ size: 64 * MiB });
  const a = s.mmap(0, 4096, RW);
  const b = s.mmap(0, 8192, RW);
  assert.is(a, 64 * MiB - 4096);
  assert.is(b, a - 8192);
});

test('a free hint is honoured and an occupied one is not', () => {
  const s = createAddressSpace({ size: 64 * MiB });
  const hint = 32 * MiB;
  assert.is(s.mmap(hint, 4096, RW), hint);
  assert.is.not(s.mmap(hint, 4096, RW), hint);
});

test('munmap of the middle of a mapping leaves two mappings', () => {
  const s = createAddressSpace({ size: 64 * MiB });
  const a = s.mmap(0, 5 * 4096, RW);
  s.munmap(a + 2 * 4096, 4096);
  const ms = s.mappings();
  assert.is(ms.length, 2);
  assert.equal(ms.map((m) => [m.start - a, m.end - a]), [[0, 2 * 4096], [3 * 4096, 5 * 4096]]);
  assert.is(s.stats().mapped, 4 * 4096);
});

test('MAP_FIXED replaces what was mapped and MAP_FIXED_NOREPLACE refuses with EEXIST', () => {
  const s = createAddressSpace({ size: 64 * MiB });
  const a = s.mmap(0, 4 * 4096, RW);
  s.u8[a + 4096] = 9;
  assert.throws(() => s.mmap(a + 4096, 4096, RW, MAP_FIXED_NOREPLACE), errno('EEXIST'));
  assert.is(s.u8[a + 4096], 9, 'refused call changed nothing');
  assert.is(s.mmap(a + 4096, 4096, PROT_READ, MAP_FIXED), a + 4096);
  assert.is(s.u8[a + 4096], 0, 'replaced page is fresh');
  assert.is(s.protAt(a + 4096), PROT_READ);
  assert.is(s.mappings().length, 3);
  assert.is(s.stats().mapped, 4 * 4096);
});

test('bad mmap arguments are EINVAL and an impossible size is ENOMEM', () => {
  const s = createAddressSpace({ size: 64 * MiB });
  assert.throws(() => s.mmap(0, 0, RW), errno('EINVAL'));
  assert.throws(() => s.mmap(0, -1, RW), errno('EINVAL'));
  assert.throws(() => s.mmap(123, 4096, RW, MAP_FIXED), errno('EINVAL'));
  assert.throws(() => s.mmap(0, 4096, 9), errno('EINVAL'));
  assert.throws(() => s.mmap(0, 4096, RW, 0x4000), errno('EINVAL'));
  assert.throws(() => s.mmap(4096, 4096, RW, MAP_FIXED), errno('EINVAL'), 'the header is never mappable');
  assert.throws(() => s.mmap(0, 128 * MiB, RW), errno('ENOMEM'));
});

test('mmap runs out of holes with ENOMEM, and munmap makes room again', () => {
  const s = createAddressSpace({ size: 16 * MiB });
  const maps: number[] = [];
  for (;;) {
    try {
      maps.push(s.mmap(0, MiB, RW));
    } catch (e) {
      assert.ok(errno('ENOMEM')(e));
      break;
    }
  }
  assert.ok(maps.length >= 14);
  s.munmap(maps[3]!, MiB);
  assert.is(s.mmap(0, MiB, RW), maps[3]);
});

test('mprotect changes protection, splits mappings, and fails with ENOMEM on unmapped pages', () => {
  const s = createAddressSpace({ size: 64 * MiB });
  const a = s.mmap(0, 3 * 4096, RW);
  s.mprotect(a + 4096, 4096, PROT_NONE);
  assert.is(s.protAt(a + 4096), PROT_NONE);
  assert.is(s.mappings().length, 3);
  assert.is(s.stats().committed, 2 * 4096);
  assert.throws(() => s.mprotect(a - 4096, 2 * 4096, RW), errno('ENOMEM'));
  assert.throws(() => s.mprotect(a + 1, 4096, RW), errno('EINVAL'));
});

test('madvise(DONTNEED) keeps the mapping but gives its pages back', () => {
  const s = createAddressSpace({ size: 64 * MiB });
  const a = s.mmap(0, 2 * 4096, RW);
  s.store8(a, 1);
  s.u8[a + 4096] = 2;
  assert.is(s.stats().resident, 2 * 4096);
  s.madvise(a, 2 * 4096, MADV_DONTNEED);
  assert.is(s.stats().resident, 0);
  assert.is(s.u8[a], 0);
  assert.is(s.u8[a + 4096], 0);
  assert.is(s.protAt(a), RW);
  assert.throws(() => s.madvise(a, 4096, 99), errno('EINVAL'));
});

test('each mapping carries its owner and maps() names it', () => {
  const s = createAddressSpace({ size: 64 * MiB });
  const x = createIdentity({ name: 'alpha', family: 'test', description: 'a' });
  const y = createIdentity({ name: 'beta', family: 'test', description: 'b' });
  const a = s.mmap(0, 4096, RW, 0, x);
  const b = s.mmap(0, 4096, PROT_NONE, 0, y);
  assert.is(s.ownerAt(a), x);
  assert.is(s.ownerAt(b), y);
  assert.is(s.mappingsOf(x).length, 1);
  const lines = s.maps().trim().split('\n');
  assert.match(lines[0]!, new RegExp(`^${b.toString(16).padStart(8, '0')}-[0-9a-f]{8} ---p 00000000 00:00 0 +beta#${y.id}$`));
  assert.match(lines[1]!, /rw-p .* alpha#\d+$/);
});

test('counters and peaks follow the calls', () => {
  const s = createAddressSpace({ size: 64 * MiB });
  const a = s.mmap(0, 10 * 4096, RW);
  s.munmap(a, 6 * 4096);
  const st = s.stats();
  assert.is(st.mapped, 4 * 4096);
  assert.is(st.peakMapped, 10 * 4096);
  assert.is(st.peakCommitted, 10 * 4096);
  assert.equal(st.calls, { brk: 0, mmap: 1, munmap: 1, mprotect: 0, madvise: 0 });
});

test.run();
