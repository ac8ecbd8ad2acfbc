/*
 * inspect for dlmalloc-style: a freed chunk between two live ones sits in the bin of its size, at
 * a position the bin's list confirms; a live chunk shows canary or footer, header, requested
 * bytes and slack in runs that tile it; the tcache, the top chunk, an mmapped chunk and the state
 * page are named as such.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createAddressSpace } from '@heaplab/core';
import { createDlmallocAllocator } from '../src/index.js';
import { binIndex } from '../src/layout.js';

const detail = (r: { details: ReadonlyArray<readonly [string, string]> }, k: string): string | undefined => r.details.find(([l]) => l === k)?.[1];
const make = (o = {}) => createDlmallocAllocator(createAddressSpace({ size: 64 * 2 ** 20 }), { tcache: 0, ...o });

test('inspect names the bin a free chunk sits in', () => {
  for (const size of [200, 3000]) {
    const a = make();
    const keep: number[] = [];
    const holes: number[] = [];
    for (let k = 0; k < 3; k++) {
      holes.push(a.malloc(size));
      keep.push(a.malloc(16));
    }
    for (const p of holes) a.free(p);
    a.malloc(16); // served from elsewhere: the freed chunks go to their bins (no victim among them)
    const binned = holes.map((p) => a.inspect(p)!).filter((r) => detail(r, 'bin') !== undefined);
    assert.ok(binned.length >= 2, `${size}: at least two chunks in a bin`);
    for (const r of binned) {
      assert.is(r.kind, 'free');
      const chunk = r.start - 16;
      const s = a.space.u32[(chunk + 4) >>> 2]! & ~15;
      assert.match(detail(r, 'bin')!, `bin #${binIndex(s)} `);
      assert.match(detail(r, 'bin')!, /chunk \d of \d/);
    }
  }
});

test('inspect tiles a live chunk: prev_foot, header, requested bytes, slack', () => {
  const a = make();
  a.malloc(40);
  const p = a.malloc(40);
  const c = p - 16;
  const kinds: string[] = [];
  for (let at = c; at < p + a.usableSize(p); ) {
    const r = a.inspect(at)!;
    assert.ok(r.start <= at && at < r.start + r.size);
    kinds.push(r.kind);
    at = r.start + r.size;
  }
  assert.equal(kinds, ['canary', 'header', 'live', 'slack']);
  assert.is(detail(a.inspect(p)!, 'requested'), '40 bytes');
});

test('inspect names the tcache, the top chunk, an mmapped chunk and the state page', () => {
  const a = make({ tcache: 7 });
  const p = a.malloc(64);
  a.malloc(16);
  a.free(p);
  assert.match(detail(a.inspect(p)!, 'state')!, 'tcache');
  const big = a.malloc(1 << 20);
  assert.match(detail(a.inspect(big + 100)!, 'chunk')!, 'its own mapping');
  assert.is(a.inspect(big + 100)!.kind, 'live');
  assert.is(a.inspect(a.stateBase)!.kind, 'metadata');
  const q = a.malloc(16);
  const t = a.inspect(q + a.usableSize(q) + 20)!;
  assert.is(t.kind, 'unused');
  assert.ok(detail(t, 'top') !== undefined);
});

test('a brief inspection gives the same kind and run without walking the bin', () => {
  const a = make();
  const holes = [a.malloc(300), a.malloc(16), a.malloc(300), a.malloc(16)];
  a.free(holes[0]!);
  a.free(holes[2]!);
  a.malloc(16);
  for (const p of [holes[0]!, holes[2]!]) {
    const full = a.inspect(p)!;
    const brief = a.inspect(p, true)!;
    assert.equal([brief.kind, brief.start, brief.size, brief.block], [full.kind, full.start, full.size, full.block]);
    if (detail(full, 'bin') !== undefined) {
      assert.match(detail(full, 'bin')!, /chunk \d of \d/);
      assert.not.match(detail(brief, 'bin')!, /chunk \d of \d/);
    }
  }
});

test.run();
