/*
 * whoOwns(addr) on the space: for interior pointers of blocks of two allocators in one space,
 * the leaf allocator, the block, the site a wrapper recorded and the chain of parents; for
 * unowned addresses the mapping or "unmapped". maps() names each mapping's owner; an identity
 * lists the mappings it owns.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createAddressSpace, createCheckingAllocator, createIdentity, createTracingAllocator, describeIdentity, withAllocationSite } from '../../src/index.js';
import { TinyAllocator } from '../fixtures/tiny-allocator.js';

function twoAllocators() {
  const space = createAddressSpace({ size: 64 * 2 ** 20 });
  const a = new TinyAllocator(space, 'none', 2 ** 20);
  const b = new TinyAllocator(space, 'none', 2 ** 20);
  const checked = createCheckingAllocator(b, { sites: 'stack' });
  const traced = createTracingAllocator(checked);
  return { space, a, b, checked, traced };
}

test('interior pointers of blocks of two allocators in one space', () => {
  const { space, a, b, checked, traced } = twoAllocators();
  const p = a.malloc(100);
  const q = withAllocationSite('parser.c:42', () => traced.malloc(300));
  const r = traced.malloc(50); // site from the JS stack: this file
  const wp = space.whoOwns(p + 37);
  assert.is(wp.owner, a.identity);
  assert.equal(wp.block, { base: p, size: 112 });
  assert.equal(wp.chain.map((i) => i.label), [a.identity.label]);
  assert.is(wp.site, null);
  assert.is(wp.text, `0x${(p + 37).toString(16)}: 37 bytes into block 0x${p.toString(16)} (112 bytes), owned by ${a.identity.label}`);

  const wq = space.whoOwns(q + 299);
  assert.is(wq.owner, b.identity, 'the leaf is the owner of the page');
  assert.equal(wq.block, { base: q, size: 300 }, 'the block as the program sees it (outermost)');
  assert.is(wq.leafBlock!.base, q - 16, "the leaf's block starts at the checking wrapper's front red zone");
  assert.is(wq.site, 'parser.c:42');
  assert.equal(wq.chain.map((i) => i.name), ['tiny', 'checking', 'tracing']);
  assert.match(wq.text, /299 bytes into block 0x[0-9a-f]+ \(300 bytes\) allocated at parser\.c:42, owned by tiny#\d+ < checking#\d+ < tracing#\d+$/);

  const wr = space.whoOwns(r + 10);
  assert.match(wr.site!, /who-owns\.test\.ts:\d+:\d+$/, `site from the stack, got ${wr.site}`);
  assert.is(checked.siteOf(r), wr.site);

  const redZone = space.whoOwns(q + 300);
  assert.is(redZone.owner, b.identity);
  assert.is(redZone.block, null, 'the red zone is in no block of the program');
  assert.ok(redZone.leafBlock !== null, 'but inside the leaf block');
});

test('unowned addresses answer with the mapping, or unmapped', () => {
  const { space } = twoAllocators();
  const program = createIdentity({ name: 'program', family: 'program', description: 'a mapping made without an allocator' });
  const m = space.mmap(0, 8192, 3, 0, null);
  const w = space.whoOwns(m + 5);
  assert.is(w.owner, null);
  assert.is(w.mapping!.start, m);
  assert.match(w.text, /^0x[0-9a-f]+: no owner, in mapping [0-9a-f]{8}-[0-9a-f]{8} rw-p/);
  const hole = space.startBrk + 3 * 4096; // above the (empty) heap segment, below every mapping
  const u = space.whoOwns(hole);
  assert.is(u.mapping, null);
  assert.is(u.text, `0x${hole.toString(16)}: unmapped`);
  const n = space.mmap(0, 4096, 3, 0, program);
  assert.is(space.whoOwns(n).ownerLabel, program.label, 'an owner with no allocator is named');
  assert.throws(() => space.whoOwns(-1), /whoOwns: expected an address/);
});

test('maps() names the owner of each mapping; an identity lists its mappings', () => {
  const { space, a, b } = twoAllocators();
  a.malloc(1);
  b.malloc(1);
  const maps = space.maps();
  assert.ok(maps.includes(a.identity.label) && maps.includes(b.identity.label), maps);
  const d = describeIdentity(b.identity, space);
  assert.is(d.mappings.length, 1);
  assert.is(d.mappings[0]!.ownerName, b.identity.label);
  assert.match(d.parent!, /^checking#\d+$/);
  assert.equal(Object.keys(d), ['id', 'label', 'name', 'family', 'parameters', 'description', 'parent', 'mappings']);
});

test.run();
