/*
 * `inspect` through wrappers: a wrapper answers with the inner allocator's inspection and adds
 * its own label to the chain, leaf first; over an allocator without `inspect` it answers undefined.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createAddressSpace, createCheckingAllocator, createStatsAllocator, createTracingAllocator, type AddressSpace, type Allocator, type Inspection } from '../../src/index.js';
import { TinyAllocator } from '../fixtures/tiny-allocator.js';

class InspectedTiny extends TinyAllocator {
  inspect(addr: number): Inspection | undefined {
    const b = this.blockAt(addr);
    return b === null ? undefined : { kind: 'live', start: b.base, size: b.size, block: b, details: [['tiny', 'yes']], chain: [this.identity.label] };
  }
}

function space(): AddressSpace {
  return createAddressSpace({ size: 64 * 2 ** 20 });
}

test('a wrapper stack adds each wrapper to the chain, leaf first', () => {
  const leaf = new InspectedTiny(space(), 'none', 4 * 2 ** 20);
  const stats = createStatsAllocator(leaf);
  const top = createTracingAllocator(stats);
  const p = top.malloc(40);
  const r = top.inspect(p + 3)!;
  assert.is(r.kind, 'live');
  assert.is(r.start, leaf.blockAt(p + 3)!.base);
  assert.equal(r.details, [['tiny', 'yes']]);
  assert.equal(r.chain, [leaf.identity.label, stats.identity.label, top.identity.label]);
});

test('a wrapper over an allocator without inspect answers undefined', () => {
  const leaf = new TinyAllocator(space(), 'none', 4 * 2 ** 20);
  assert.is((leaf as Allocator).inspect, undefined);
  const top = createTracingAllocator(leaf);
  assert.is(top.inspect(top.malloc(8)), undefined);
});

test('the checking wrapper names its red zones around a block as canaries', () => {
  const leaf = new InspectedTiny(space(), 'none', 4 * 2 ** 20);
  const c = createCheckingAllocator(leaf, { redZone: 24 });
  const p = c.malloc(40);
  const inner = leaf.blockAt(p)!;
  const kinds: string[] = [];
  for (let at = inner.base; at < inner.base + inner.size; ) {
    const r = c.inspect(at)!;
    assert.ok(r.start <= at && at < r.start + r.size, `run holds ${at}`);
    assert.equal(r.block, { base: p, size: 40 });
    kinds.push(r.kind);
    at = r.start + r.size;
  }
  assert.equal(kinds.slice(0, 3), ['canary', 'live', 'canary']);
  assert.is(c.inspect(p + 40)!.size, 24);
  assert.equal(c.inspect(p)!.chain, [leaf.identity.label, c.identity.label]);
});

test.run();
