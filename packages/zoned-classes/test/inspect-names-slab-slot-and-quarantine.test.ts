/*
 * inspect for zoned-classes: a live slot names its class, slab and slot, then its requested
 * bytes, slack and canary in runs that tile the slot; a freed slot is in the quarantine, with its
 * place; guard slabs and zone offsets are told from slabs; large regions show their data, slack,
 * guard pages and, once freed, the region quarantine.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createAddressSpace } from '@heaplab/core';
import { createZonedAllocator } from '../src/index.js';

const detail = (r: { details: ReadonlyArray<readonly [string, string]> }, k: string): string | undefined => r.details.find(([l]) => l === k)?.[1];
const make = () => createZonedAllocator(createAddressSpace({ size: 256 * 2 ** 20 }), { preset: 'default', seed: 3, slotRandomize: false });

test('inspect names the slab, the slot and the quarantine a freed slot waits in', () => {
  const a = make();
  const p = a.malloc(40);
  const r = a.inspect(p + 1)!;
  assert.is(r.kind, 'live');
  assert.equal([r.start, r.size], [p, 40]);
  assert.equal(r.block, a.blockAt(p));
  assert.match(detail(r, 'slab')!, /#0 at 0x[0-9a-f]+, partial: 1 live/);
  assert.match(detail(r, 'slot')!, /#0 of \d+/);
  a.free(p);
  const q = a.inspect(p)!;
  assert.is(q.kind, 'quarantine');
  assert.ok(detail(q, 'quarantine') !== undefined);
});

test('inspect tiles a live slot: requested bytes, slack, canary', () => {
  const a = make();
  const p = a.malloc(20);
  const kinds: string[] = [];
  for (let at = p; at < p + a.usableSize(p) + a.canary; ) {
    const r = a.inspect(at)!;
    assert.ok(r.start <= at && at < r.start + r.size);
    kinds.push(r.kind);
    at = r.start + r.size;
  }
  assert.equal(kinds, a.canary ? ['live', 'slack', 'canary'] : ['live', 'slack']);
});

test('inspect tells the zone offset before the first slab and a guard slab', () => {
  const a = make();
  const p = a.malloc(40);
  const c = a.inspect(p)!;
  const zoneStart = Number.parseInt(detail(c, 'zone')!.split('–')[0]!, 16);
  assert.is(a.inspect(zoneStart)!.kind, 'reserved');
  const cls = Number(/#(\d+)/.exec(detail(c, 'size class')!)![1]);
  const guard = a.slabStart[cls]! + a.guardInterval * a.slabBytes[cls]!;
  assert.is(a.inspect(guard)!.kind, 'guard');
});

test('inspect of a large region: data, guard pages, then the region quarantine once freed', () => {
  const a = make();
  const p = a.malloc(300_000);
  const r = a.inspect(p + 5)!;
  assert.is(r.kind, 'live');
  assert.match(detail(r, 'large region')!, 'data pages');
  const after = a.inspect(p + a.usableSize(p));
  if (after) assert.is(after.kind, 'guard');
  a.free(p);
  const f = a.inspect(p)!;
  assert.is(f.kind, 'quarantine');
});

test.run();
