/*
 * Each wrapper around mmap-pages passes the conformance kit; the checking wrapper catches a
 * one-byte overflow and a double free under mmap-pages (which by itself catches neither the
 * overflow nor a double free once the address is reused); whoOwns answers for interior
 * pointers of blocks of two allocators (mmap-pages and dlmalloc-style) in one space.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { conformanceChecks, fuzzRuns } from '@heaplab/core/testing';
import {
  AllocatorError, createAddressSpace, createCheckingAllocator, createLockedAllocator, createStatsAllocator, createTracingAllocator,
  withAllocationSite, type AddressSpace, type Allocator,
} from '@heaplab/core';
import { createMmapPagesAllocator } from '@heaplab/mmap-pages';
import { createDlmallocAllocator } from '@heaplab/dlmalloc-style';

const runs = Math.max(20, Math.ceil(fuzzRuns() / 5));
const mp = (s: AddressSpace): Allocator => createMmapPagesAllocator(s);
const WRAPPED: Record<string, (s: AddressSpace) => Allocator> = {
  tracing: (s) => createTracingAllocator(mp(s), { sites: 'stack' }),
  checking: (s) => createCheckingAllocator(mp(s)),
  stats: (s) => createStatsAllocator(mp(s)),
  locked: (s) => createLockedAllocator(mp(s)),
};
for (const [name, f] of Object.entries(WRAPPED)) {
  for (const c of conformanceChecks(f, { name: `${name}(mmap-pages)`, runs })) test(`${name} around mmap-pages: ${c.name}`, c.run);
}
for (const c of conformanceChecks(WRAPPED.locked!, { name: 'locked(mmap-pages), shared', runs, backing: 'shared' })) test(`locked around mmap-pages in a SharedArrayBuffer: ${c.name}`, c.run);

function caught(f: () => unknown): AllocatorError {
  try {
    f();
  } catch (e) {
    if (e instanceof AllocatorError) return e;
    throw e;
  }
  throw new Error('not detected');
}

test('checking catches a one-byte overflow under mmap-pages, naming block, site and allocator', () => {
  const space = createAddressSpace({ size: 64 * 2 ** 20 });
  const inner = createMmapPagesAllocator(space);
  const a = createCheckingAllocator(inner);
  const p = withAllocationSite('request.c:17', () => a.malloc(100));
  space.store8(p + a.usableSize(p), 1); // one byte past the usable end
  const e = caught(() => a.free(p));
  assert.is(e.code, 'canary-corrupted');
  assert.is(e.message, `canary-corrupted: free: red zone after block 0x${p.toString(16)} (100 bytes, allocated at request.c:17, in ${inner.identity.label}) overwritten at 0x${(p + 100).toString(16)} (0 bytes past the end) [${a.identity.label}]`);
  // Without the wrapper, the same overflow goes unnoticed: the byte lies in the block's page.
  const q = inner.malloc(100);
  space.store8(q + inner.usableSize(q), 1);
  inner.free(q);
});

test('checking catches a double free under mmap-pages, even after the address was reused', () => {
  const space = createAddressSpace({ size: 64 * 2 ** 20 });
  const inner = createMmapPagesAllocator(space, { freeHistory: 0 });
  const a = createCheckingAllocator(inner, { sites: 'given' });
  const p = withAllocationSite('session.c:40', () => a.malloc(64));
  withAllocationSite('session.c:90', () => a.free(p));
  const e = caught(() => a.free(p));
  assert.is(e.code, 'double-free');
  assert.match(e.message, /already freed: block 0x[0-9a-f]+ \(64 bytes, allocated at session\.c:40, freed at session\.c:90, in mmap-pages#\d+\)/);
  // mmap-pages alone (no history) calls the same mistake an invalid free.
  const q = inner.malloc(64);
  inner.free(q);
  assert.is(caught(() => inner.free(q)).code, 'invalid-free');
});

test('whoOwns on interior pointers of blocks of two allocators in one space', () => {
  const space = createAddressSpace({ size: 256 * 2 ** 20 });
  const pages = createTracingAllocator(createMmapPagesAllocator(space));
  const dl = createDlmallocAllocator(space);
  const p = withAllocationSite('images.c:12', () => pages.malloc(10_000));
  const d = dl.malloc(200);
  const d2 = dl.malloc(300_000); // above the mmap threshold: its own mapping
  const w1 = space.whoOwns(p + 9_999);
  assert.equal(w1.block, { base: p, size: pages.usableSize(p) });
  assert.is(w1.site, 'images.c:12');
  assert.equal(w1.chain.map((i) => i.name), ['mmap-pages', 'tracing']);
  const w2 = space.whoOwns(d + 150);
  assert.is(w2.owner, dl.identity);
  assert.equal(w2.block, { base: d, size: dl.usableSize(d) });
  assert.equal(w2.chain, [dl.identity]);
  const w3 = space.whoOwns(d2 + 299_999);
  assert.is(w3.block!.base, d2);
  assert.match(w3.text, /^0x[0-9a-f]+: 299999 bytes into block 0x[0-9a-f]+ \(\d+ bytes\), owned by dlmalloc-style#\d+$/);
  assert.ok(space.maps().includes(dl.identity.label) && space.maps().includes(pages.identity.label) === false, 'maps() names the leaf owners');
});

test.run();
