import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { KernelError, MAP_FIXED, PROT_NONE, PROT_READ, PROT_WRITE, SegmentationFault, createAddressSpace, createIdentity } from '../../src/index.js';

const MiB = 2 ** 20;
const RW = PROT_READ | PROT_WRITE;
const errno = (code: string) => (e: unknown) => e instanceof KernelError && e.code === code;

test('munmap returns every frame its pages took', () => {
  const s = createAddressSpace({ size: 2 ** 40 });
  const a = s.mmap(0, 64 * 4096, RW);
  for (let i = 0; i < 64; i++) s.raw.setU8(a + i * 4096 + 3, i);
  assert.is(s.frames!.framesInUse, 64);
  s.munmap(a, 64 * 4096);
  assert.is(s.frames!.framesInUse, 0);
  assert.is(s.stats().resident, 0);
  assert.is(s.stats().peakResident, 64 * 4096);
  s.frames!.check();
});

test('writable mappings beyond physical memory fail with ENOMEM at mmap, and the space is usable after', () => {
  const s = createAddressSpace({ size: 2 ** 36, physical: 16 * MiB });
  const a = s.mmap(0, 12 * MiB, RW);
  assert.throws(() => s.mmap(0, 8 * MiB, RW), errno('ENOMEM'));
  assert.throws(() => s.sbrk(8 * MiB), errno('ENOMEM'));
  // Every page of what was granted can be written: the first touch never runs out of frames.
  for (let p = a; p < a + 12 * MiB; p += 4096) s.raw.setU32(p, p / 4096);
  assert.is(s.stats().frames!.free, 4 * MiB / 4096);
  // A reservation costs no frames and is granted.
  const r = s.mmap(0, 2 ** 33, PROT_NONE);
  assert.throws(() => s.mprotect(r, 8 * MiB, RW), errno('ENOMEM'));
  s.munmap(a, 12 * MiB);
  const b = s.mmap(0, 8 * MiB, RW);
  s.fill(b, 7, 8 * MiB);
  assert.is(s.load8(b + 8 * MiB - 1), 7);
  assert.is(s.sbrk(8 * MiB), s.startBrk);
  assert.throws(() => s.sbrk(4096), errno('ENOMEM'));
});

test('MAP_FIXED over a writable mapping is charged only for the pages it adds', () => {
  const s = createAddressSpace({ size: 2 ** 36, physical: 16 * MiB });
  const a = s.mmap(0, 16 * MiB, RW);
  assert.is(s.mmap(a, 16 * MiB, RW, MAP_FIXED), a);
  assert.throws(() => s.mmap(0, 4096, RW), errno('ENOMEM'));
});

test('a read-only page that took a frame stays charged until it gives the frame back', () => {
  const s = createAddressSpace({ size: 2 ** 36, physical: 16 * MiB });
  const a = s.mmap(0, 4096, RW);
  s.store8(a, 1);
  s.mprotect(a, 4096, PROT_READ);
  assert.is(s.stats().frames!.charged, 1);
  s.munmap(a, 4096);
  assert.is(s.stats().frames!.charged, 0);
});

test('taken frames read and write through the direct map and are given back', () => {
  const s = createAddressSpace({ size: 2 ** 36, physical: 16 * MiB });
  const id = createIdentity({ name: 'kmalloc', family: 'kernel', parameters: {}, description: 'test' });
  const base = s.directMapBase!;
  assert.is(base, 2 ** 36 - 16 * MiB);
  const pfn = s.takeFrames(2, id);
  assert.ok(pfn >= 0);
  const at = base + pfn * 4096;
  assert.ok(s.accessible(at, 4 * 4096, RW));
  s.store32(at + 4 * 4096 - 4, 0xfeed);
  assert.is(s.raw.u32(at + 4 * 4096 - 4), 0xfeed);
  assert.is(s.ownerAt(at + 5), id);
  assert.is(s.stats().resident, 4 * 4096);
  assert.ok(s.mappings().some((m) => m.start === at && m.end === at + 4 * 4096 && m.ownerName.startsWith('kmalloc#')));
  s.returnFrames(pfn, 2);
  assert.not.ok(s.accessible(at, 4096, PROT_READ));
  assert.throws(() => s.load8(at), (e: unknown) => e instanceof SegmentationFault);
  assert.is(s.stats().resident, 0);
  assert.throws(() => s.returnFrames(pfn, 2), errno('EINVAL'));
  s.frames!.check();
});

test('takeFrames refuses frames committed to mappings and succeeds once they are unmapped', () => {
  const s = createAddressSpace({ size: 2 ** 36, physical: 16 * MiB });
  const a = s.mmap(0, 14 * MiB, RW);
  assert.is(s.takeFrames(10), -1, 'a 4 MiB block would eat frames promised to the mapping');
  const small = s.takeFrames(0);
  assert.ok(small >= 0);
  s.munmap(a, 14 * MiB);
  const big = s.takeFrames(10);
  assert.ok(big >= 0);
  assert.throws(() => s.mmap(0, 12 * MiB, RW), errno('ENOMEM'));
  s.returnFrames(big, 10);
  s.returnFrames(small, 0);
  assert.is(s.frames!.framesInUse, 0);
});

test('mapFrames builds one virtual range from scattered frames; munmap leaves them taken', () => {
  const s = createAddressSpace({ size: 2 ** 36, physical: 16 * MiB });
  const pfns = [s.takeFrames(0), s.takeFrames(0), s.takeFrames(0)];
  s.returnFrames(pfns[1]!, 0);
  pfns[1] = s.takeFrames(3); // not contiguous with the others
  const v = s.mapFrames(0, pfns, RW);
  assert.ok(v < s.directMapBase!);
  s.store32(v + 4096 + 8, 77);
  assert.is(s.raw.u32(s.directMapBase! + pfns[1]! * 4096 + 8), 77, 'the virtual range and the direct map show the same frame');
  const resident = s.stats().resident;
  s.munmap(v, 3 * 4096);
  assert.is(s.stats().resident, resident, 'munmap of a mapFrames range gives no frame back');
  assert.is(s.raw.u32(s.directMapBase! + pfns[1]! * 4096 + 8), 77);
  assert.throws(() => s.mapFrames(0, [12345], RW), errno('EINVAL'));
});

test('a paged space without physical has no direct map', () => {
  const s = createAddressSpace({ size: 2 ** 40 });
  assert.is(s.directMapBase, undefined);
  assert.throws(() => s.takeFrames(0), errno('EINVAL'));
  assert.is(s.physical, 2 ** 32);
});

test('bad physical sizes are refused with EINVAL', () => {
  assert.throws(() => createAddressSpace({ size: 2 ** 36, physical: 1000 }), errno('EINVAL'));
  assert.throws(() => createAddressSpace({ size: 2 ** 36, physical: 2 ** 33 }), errno('EINVAL'));
  assert.throws(() => createAddressSpace({ size: 8 * MiB, physical: 8 * MiB }), /no room/);
});

test.run();
