/*
 * The explorer's model (bench/src/explore/session.ts): after a jump — backwards, far forwards,
 * to the end — through a checkpoint, every run answers ownership exactly as a straight replay
 * to that event does (`heaplab who`'s replayTo), its heap passes check(), and its space's figures
 * match; a run restored twice from one checkpoint behaves the same both times.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { chunkSource, createAddressSpace, createTracingAllocator, parseTrace } from '@heaplab/core';
import { EventStore } from '../../src/explore/events.js';
import { Session } from '../../src/explore/session.js';
import { runSpec } from '../../src/explore/specs.js';
import { replayTo } from '../../src/step-replay.js';
import { browserWorkload } from '../../src/explore/browser-workloads.js';
import { workloadSource } from '../../src/workloads/index.js';

const SPACE = 256 * 2 ** 20;
const OPS = 6000;

function store(name: string, seed: number): EventStore {
  const s = new EventStore();
  for (const c of browserWorkload(name).events({ seed, ops: OPS })) s.push(c);
  s.analyse();
  return s;
}


for (const spec of ['dlmalloc-style', 'zoned-classes', 'bump-freestack', 'mmap-pages:guardPage=true']) {
  test(`${spec}: ownership after jumps equals a straight replay's`, async () => {
    const s = store('churn', 7);
    const session = new Session(s, [runSpec(spec)], { spaceBytes: SPACE, every: 1000 });
    await session.prepare();
    for (const at of [3500, 1200, 5999, 2000, OPS, 0, 4321]) {
      session.seek(at);
      const run = session.runs[0]!;
      run.top.check();
      const space = createAddressSpace({ size: SPACE });
      const straight = createTracingAllocator(runSpec(spec).make(space));
      const r = await replayTo(workloadSource(browserWorkload('churn'), { seed: 7, ops: OPS }), straight, at);
      assert.is(r.events, at);
      assert.is(run.graph.live.size, r.live.size, `live blocks at ${at}`);
      const probes = [...r.live.values()].slice(0, 40).flatMap((b) => [b.ptr, b.ptr + Math.max(0, b.size - 1), b.ptr - 8]);
      for (const addr of probes) {
        if (addr <= 0) continue;
        const mine = session.pointAt(0, addr);
        const who = space.whoOwns(addr);
        const where = `${spec} at event ${at}, address ${addr}`;
        assert.equal(mine.ownership.block, who.block, where);
        assert.is(mine.ownership.owner?.name ?? null, who.chain[0]?.name ?? null, where);
        assert.is(mine.site, who.site, where);
      }
      assert.is(run.space.stats().mapped, space.stats().mapped, `mapped at ${at}`);
    }
  });
}

/** A v1 text trace with a site on every allocation: 4,000 events, ids and sizes from a seeded generator. */
function sitedTrace(): string {
  let x = 12345;
  const next = (): number => (x = (Math.imul(x, 1103515245) + 12345) >>> 0);
  const lines = ['# heaplab-trace v1 sited'];
  const live: number[] = [];
  let id = 0x1000;
  for (let e = 0; e < 4000; e++) {
    if (live.length > 0 && next() % 3 === 0) {
      const k = next() % live.length;
      lines.push(`f ${live[k]!.toString(16)}`);
      live.splice(k, 1);
    } else {
      id += 0x40;
      live.push(id);
      lines.push(`a ${id.toString(16)} ${16 + (next() % 900)} 0x${(0x400000 + (next() % 7) * 0x10).toString(16)}`);
    }
  }
  return lines.join('\n') + '\n';
}

test('a trace\'s sites come back for blocks after a jump, as who reports them', async () => {
  const { chunks } = parseTrace(sitedTrace());
  const s = new EventStore();
  for (const c of chunks) s.push(c);
  s.analyse();
  const session = new Session(s, [runSpec('bump-freestack')], { spaceBytes: SPACE, every: 500 });
  await session.prepare();
  const at = 2600;
  session.seek(s.count);
  session.seek(at);
  const space = createAddressSpace({ size: SPACE });
  const straight = createTracingAllocator(runSpec('bump-freestack').make(space));
  const r = await replayTo(chunkSource('sited', chunks), straight, at);
  let sited = 0;
  for (const b of r.live.values()) {
    const mine = session.pointAt(0, b.ptr + 1);
    assert.is(mine.site, space.whoOwns(b.ptr + 1).site);
    if (mine.site !== null) sited++;
  }
  assert.ok(sited > 100, `${sited} blocks with a site`);
});

test('two runs side by side keep their own spaces and the same events', async () => {
  const s = store('ramp-drain', 3);
  const session = new Session(s, [runSpec('dlmalloc-style:policy=first-fit'), runSpec('zoned-classes')], { spaceBytes: SPACE, every: 700 });
  await session.prepare();
  session.seek(2500);
  assert.is(session.runs[0]!.event, 2500);
  assert.is(session.runs[1]!.event, 2500);
  assert.is(session.runs[0]!.live[2500], session.runs[1]!.live[2500]);
  assert.is.not(session.runs[0]!.space, session.runs[1]!.space);
  const m = session.metrics(0);
  assert.ok(m.m4 >= 1 && m.peakLive > 0, `M4 ${m.m4}`);
});

test.run();
