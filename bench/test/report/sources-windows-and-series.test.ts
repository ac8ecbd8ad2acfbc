import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { chunkSource, chunksOf, eventsOf, type TraceEvent } from '@heaplab/core';
import { limitSource } from '../../src/report/sources.js';
import { compare, thinSeries } from '../../src/report/compare.js';
import { resolvePlan } from '../../src/lab/plan.js';

const ev = (kind: TraceEvent['kind'], id: number, size = 0, arg = 0): TraceEvent => ({ kind, id, size, arg, site: null });

test('limitSource cuts a source inside a chunk and keeps the events before', async () => {
  const events = Array.from({ length: 10 }, (_, i) => ev('a', i + 1, 8));
  const cut = limitSource(chunkSource('ten', chunksOf(events, 'ten', 4)), 6);
  const got: TraceEvent[] = [];
  for await (const c of cut.open()) got.push(...eventsOf([c]));
  assert.equal(got, events.slice(0, 6));
  assert.throws(() => limitSource(cut, 0), /events must be a positive integer/);
});

test('thinSeries keeps the first, the last and the peak sample', () => {
  const n = 1000;
  const s = { event: Array.from({ length: n }, (_, i) => i), used: Array.from({ length: n }, (_, i) => (i === 777 ? 1e9 : i)), live: Array.from({ length: n }, () => 1) };
  const t = thinSeries(s, 50);
  assert.ok(t.event.length >= 50 && t.event.length <= 53, String(t.event.length));
  assert.equal([t.event[0], t.event.at(-1)], [0, n - 1]);
  assert.ok(t.event.includes(777));
});

test('an allocator with a window in the plan replays exactly its first events; the others replay everything', async () => {
  const plan = resolvePlan({
    name: 'windows',
    allocators: ['bump-freestack', 'thing-malloc'],
    sources: [{ source: { kind: 'workload', name: 'fifo', seed: 1, ops: 20_000 } }],
    windows: { 'thing-malloc': 5_000 },
    runs: 1,
    native: false,
  });
  const c = await compare(plan, { ledger: null, progress: false });
  const [bump, thing] = c.sources[0]!.allocators;
  assert.is(bump!.window, null);
  assert.is(thing!.window, 5_000);
  assert.is(thing!.result!.replayed, 5_000);
  assert.is(bump!.result!.replayed, 20_000);
});

test.run();
