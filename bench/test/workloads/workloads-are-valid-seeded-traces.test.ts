import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { eventsOf, parseTrace, type TraceEvent } from '@heaplab/core';
import { workload, workloadNames, HISTOGRAM, LIFO, FIFO, ADVERSARY, LARSON, PRODUCER_CONSUMER } from '../../src/workloads/index.js';
import { runCli } from '../helpers/run-cli.js';

const OTHERS = ['histogram', 'ramp-drain', 'lifo', 'fifo', 'adversary', 'larson', 'producer-consumer', 'phase-change'];

/** Replays the events on a model: every free names a live id, no live id is allocated again. */
function model(events: readonly TraceEvent[]) {
  const live = new Map<number, number>();
  const allocOrder: number[] = [];
  const freed: number[] = [];
  let maxLive = 0;
  for (const [i, e] of events.entries()) {
    if (e.kind === 'a') {
      assert.ok(!live.has(e.id), `event ${i}: id ${e.id} allocated while live`);
      assert.ok(e.id > 0 && e.size > 0, `event ${i}: id ${e.id} size ${e.size}`);
      live.set(e.id, e.size);
      allocOrder.push(e.id);
    } else {
      assert.is(e.kind, 'f', `event ${i}: only a and f are written`);
      assert.ok(live.delete(e.id), `event ${i}: free of id ${e.id}, not live`);
      freed.push(e.id);
    }
    maxLive = Math.max(maxLive, live.size);
  }
  return { live, maxLive, allocOrder, freed };
}

test('every workload is listed, and the others make exactly ops events on live ids only', () => {
  assert.equal(workloadNames(), ['churn', ...OTHERS]);
  for (const name of OTHERS) {
    const ev = eventsOf(workload(name).events({ seed: 3, ops: 30_000, chunkEvents: 7_000 }));
    assert.is(ev.length, 30_000, name);
    model(ev);
  }
});

test('the same seed gives the same events in any chunking; another seed differs', () => {
  for (const name of OTHERS) {
    const w = workload(name);
    const a = eventsOf(w.events({ seed: 11, ops: 12_000, chunkEvents: 999 }));
    assert.equal(eventsOf(w.events({ seed: 11, ops: 12_000 })), a, name);
    assert.not.equal(eventsOf(w.events({ seed: 12, ops: 12_000 })), a, name);
  }
});

test("histogram: 98% of requests are under 100 bytes and about 10,000 blocks stay live", () => {
  const ev = eventsOf(workload('histogram').events({ seed: 1, ops: 200_000 }));
  const sizes = ev.filter((e) => e.kind === 'a').map((e) => e.size);
  const under = sizes.filter((s) => s < 100).length / sizes.length;
  assert.ok(Math.abs(under - HISTOGRAM.small) < 0.003, `share under 100 B: ${under}`);
  assert.ok(Math.max(...sizes) <= 65536 && Math.min(...sizes) >= 1);
  const m = model(ev);
  assert.ok(m.maxLive > 9_500 && m.maxLive < 11_000, `max live ${m.maxLive}`);
});

test('lifo frees the newest live block; fifo the oldest', () => {
  for (const name of ['lifo', 'fifo']) {
    const ev = eventsOf(workload(name).events({ seed: 2, ops: 60_000 }));
    const stack: number[] = [];
    let checked = 0;
    for (const e of ev) {
      if (e.kind === 'a') stack.push(e.id);
      else {
        const expected = name === 'lifo' ? stack.pop() : stack.shift();
        assert.is(e.id, expected, `${name}: frees in ${name} order`);
        checked++;
      }
    }
    assert.ok(checked > 20_000, `${name}: ${checked} frees`);
    if (name === 'lifo') assert.ok(stack.length >= LIFO.base);
    else assert.is(stack.length, FIFO.depth);
  }
});

test('adversary: the larger requests of a round never fit the holes freed before them', () => {
  const ev = eventsOf(workload('adversary').events({ seed: 4, ops: 100_000 }));
  const n = ADVERSARY.pairs;
  let i = 0;
  for (let round = 0; i < ev.length; round++) {
    const a = 16 << round % ADVERSARY.classes;
    while (i < ev.length && ev[i]!.kind === 'f') i++; // the round four back, freed
    const holes = new Set<number>();
    for (let k = 0; k < n && i < ev.length; k++, i += 2) {
      assert.is(ev[i]!.size, a, `round ${round}: hole size`);
      holes.add(ev[i]!.id);
      if (i + 1 < ev.length) assert.ok(ev[i + 1]!.size >= 16 && ev[i + 1]!.size <= 31, 'pin size');
    }
    for (let k = 0; k < n && i < ev.length; k++, i++) assert.ok(ev[i]!.kind === 'f' && holes.has(ev[i]!.id), `round ${round}: the holes are freed`);
    for (let k = 0; k < n && i < ev.length; k++, i++) assert.ok(ev[i]!.kind === 'a' && ev[i]!.size > 2 * a, `round ${round}: larger requests`);
  }
});

test('larson keeps 8,000 blocks live and replaces one per free; producer-consumer never holds more than its depth', () => {
  const l = model(eventsOf(workload('larson').events({ seed: 5, ops: 50_000 })));
  assert.is(l.maxLive, LARSON.threads * LARSON.slots);
  assert.is(l.live.size, LARSON.threads * LARSON.slots);
  const p = model(eventsOf(workload('producer-consumer').events({ seed: 5, ops: 50_000 })));
  assert.ok(p.maxLive <= PRODUCER_CONSUMER.depth && p.maxLive > 64, `max live ${p.maxLive}`);
  assert.equal(p.freed, p.allocOrder.slice(0, p.freed.length), 'messages are freed in the order they were made');
});

test('each workload exports as a v1 trace with the same events', async () => {
  for (const name of OTHERS) {
    const r = await runCli(['workload', 'export', name, '--seed', '7', '--ops', '500']);
    assert.is(r.code, 0, r.err);
    assert.ok(r.out.startsWith(`# heaplab-trace v1 ${name}\n`), r.out.slice(0, 60));
    assert.equal(eventsOf(parseTrace(r.out).chunks), eventsOf(workload(name).events({ seed: 7, ops: 500 })), name);
  }
});

test('bad options are errors naming the option', () => {
  assert.throws(() => [...workload('lifo').events({ seed: 1, ops: -1 })], /ops must be a non-negative integer/);
  assert.throws(() => [...workload('fifo').events({ seed: 1, chunkEvents: 0 })], /chunkEvents must be a positive integer/);
  assert.throws(() => [...workload('larson').events({ seed: -1 })], /seed must be an integer/);
  assert.is(eventsOf(workload('histogram').events({ seed: 1, ops: 0 })).length, 0);
});

test.run();
