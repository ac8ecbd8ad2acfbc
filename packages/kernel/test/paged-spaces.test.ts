// The kernel allocators over paged spaces: a 2^47 space (own pool, reached through space.raw) and a
// space made with `physical`, whose own frames (takeFrames) and direct map they then use.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { conformanceChecks } from '@heaplab/core/testing';
import { createAddressSpace, type AddressSpace, type Allocator } from '@heaplab/core';
import { createBuddyAllocator, createKmallocAllocator, createVmallocAllocator, type VmallocAllocator } from '../src/index.js';

const MiB = 2 ** 20;
const runs = 50;
const pagesCap = { recoveryRequests: [200 * 1024, 4 * MiB] };
const kinds: Record<string, { make: (s: AddressSpace) => Allocator; cap: boolean }> = {
  buddy: { make: (s) => createBuddyAllocator(s), cap: true },
  kmalloc: { make: (s) => createKmallocAllocator(s, { redZone: true, poison: true }), cap: true },
  vmalloc: { make: (s) => createVmallocAllocator(s), cap: false },
};

/** The kit's space size, as a space with a quarter of it in physical memory. */
const withPhysical = (s: AddressSpace): AddressSpace => createAddressSpace({ size: s.size, physical: s.size / 4 });

for (const [name, k] of Object.entries(kinds)) {
  for (const c of conformanceChecks(k.make, { name: `${name} 2^47`, spaceSize: 2 ** 47, runs, ...(k.cap ? pagesCap : {}) })) test(`${name} in a 2^47 space: ${c.name}`, c.run);
  for (const c of conformanceChecks((s) => k.make(withPhysical(s)), { name: `${name} physical`, runs, ...(k.cap ? pagesCap : {}) })) test(`${name} over the space's own frames: ${c.name}`, c.run);
}

test('over a space with physical memory, the allocators take the space\'s frames and give them back', () => {
  const space = createAddressSpace({ size: 256 * MiB, physical: 32 * MiB });
  const frames = space.frames!;
  const base = frames.framesInUse;
  const b = createBuddyAllocator(space);
  const k = createKmallocAllocator(space);
  const v = createVmallocAllocator(space) as VmallocAllocator;
  assert.is(b.physical().source, 'space');
  const p = b.malloc(5000);
  assert.is(p, space.directMapBase! + (p - space.directMapBase!), 'a direct-map address');
  assert.is(frames.framesInUse - base, 2);
  const q = k.malloc(100);
  assert.is(frames.framesInUse - base, 3, 'one slab of kmalloc-128');
  const r = v.malloc(3 * 4096);
  assert.is(frames.framesInUse - base, 6, 'three frames mapped at the area');
  space.store8(r + 3 * 4096 - 1, 7);
  assert.throws(() => space.store8(r + 3 * 4096, 7), /segmentation fault/, 'guard page');
  assert.is(frames.framesInUse - base, 6, 'writing the area takes no further frame');
  v.free(r);
  k.free(q);
  k.shrink();
  b.free(p);
  assert.is(frames.framesInUse, base);
  for (const a of [b, k, v]) a.check();
});

test('over a space with physical memory, running out of frames is malloc returning 0, and freeing recovers', () => {
  const space = createAddressSpace({ size: 256 * MiB, physical: 8 * MiB });
  const v = createVmallocAllocator(space);
  const ps: number[] = [];
  for (let p = v.malloc(64 * 1024); p !== 0; p = v.malloc(64 * 1024)) ps.push(p);
  assert.ok(ps.length > 100 && ps.length <= 128, `${ps.length} areas of 64 KiB in 8 MiB`);
  for (const p of ps) v.free(p);
  v.check();
  assert.ok(v.malloc(4 * MiB) !== 0);
});

test.run();
