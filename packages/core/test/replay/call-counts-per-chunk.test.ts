/*
 * The timed loop keeps no per-event call counters: each OpChunk carries its op counts (the
 * SlotMapper fills them) and the run adds them once per chunk. These tests check that the counts
 * are exactly what counting the ops gives, and that a chunk made by hand without them is counted
 * by the engine to the same figures.
 */

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { OP_CALLOC, OP_FREE, OP_MALLOC, OP_MEMALIGN, OP_NOP, OP_REALLOC, SlotMapper, chunkSource, parseTrace, prepareReplay, runReplay, type OpChunk, type PreparedTrace } from '../../src/index.js';
import { PageAllocator } from './fixtures/page-allocator.js';

const TRACE = `# heaplab-trace v1 counts
a 1 100
c 2 64
m 3 32 64
r 4 1 300
f 99
a 0 8
f 2
r 5 0 16
f 3
f 4
f 5
`;

const space = { size: 2 ** 26 };

test('SlotMapper counts each kind of op in a chunk, events not replayed under OP_NOP', () => {
  const chunks = parseTrace(TRACE, 'counts.trace', { chunkEvents: 4 }).chunks;
  const mapper = new SlotMapper();
  const total = new Array<number>(6).fill(0);
  for (const c of chunks) {
    const ops = mapper.map(c);
    const byHand = new Array<number>(6).fill(0);
    for (let j = 0; j < ops.count; j++) byHand[ops.op[j]!]!++;
    assert.equal([...ops.opCounts!], byHand);
    for (let o = 0; o < 6; o++) total[o]! += byHand[o]!;
  }
  const expected = new Array<number>(6).fill(0);
  expected[OP_NOP] = 2; // f 99 (never allocated), a 0 8 (failed when recorded)
  expected[OP_MALLOC] = 2; // a 1, r 5 0 16 (realloc from NULL)
  expected[OP_CALLOC] = 1;
  expected[OP_MEMALIGN] = 1;
  expected[OP_REALLOC] = 1;
  expected[OP_FREE] = 4;
  assert.equal(total, expected);
});

test('a run reports calls by kind and events replayed from the chunk counts', async () => {
  const trace = await prepareReplay(chunkSource('counts', parseTrace(TRACE, 'counts.trace', { chunkEvents: 3 }).chunks));
  const r = await runReplay(trace, (s) => new PageAllocator(s), { space });
  assert.equal(r.counts, { malloc: 2, calloc: 1, memalign: 1, realloc: 1, free: 4 });
  assert.is(r.replayed, 9);
  assert.is(r.events, 11);
});

test('OpChunks without op counts (made by hand) give the same figures', async () => {
  const trace = await prepareReplay(chunkSource('counts', parseTrace(TRACE, 'counts.trace', { chunkEvents: 3 }).chunks));
  const held = [...(trace.ops() as Iterable<OpChunk>)];
  const bare: PreparedTrace = { ...trace, ops: () => held.map(({ opCounts: _c, ...rest }) => rest) };
  const a = await runReplay(trace, (s) => new PageAllocator(s), { space, sampleEvery: 1 });
  const b = await runReplay(bare, (s) => new PageAllocator(s), { space, sampleEvery: 1 });
  const { ns: _a, minorFaults: _fa, allocator: _la, ...fa } = a;
  const { ns: _b, minorFaults: _fb, allocator: _lb, ...fb } = b;
  assert.equal(fb, fa);
  assert.is(b.replayed, 9);
});

test.run();
