import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { OP_FREE, OP_MALLOC, OP_MEMALIGN, OP_NOP, OP_REALLOC, OP_CALLOC, SlotMapper, parseTrace, type OpChunk } from '../../src/index.js';

function map(text: string): { ops: OpChunk; mapper: SlotMapper } {
  const mapper = new SlotMapper();
  const chunks = parseTrace('# heaplab-trace v1 t\n' + text).chunks;
  return { ops: mapper.map(chunks[0]!), mapper };
}

const cols = (o: OpChunk) => ({ op: [...o.op], slot: [...o.slot] });

test('live ids get dense slots, reused last-freed-first; a realloc keeps its slot', () => {
  const { ops, mapper } = map('a 7f0010 8\nc 7f0020 8\nf 7f0010\nm 7f0030 8 64\nr 7f0040 7f0030 16\nf 7f0020\nf 7f0040\n');
  assert.equal(cols(ops), { op: [OP_MALLOC, OP_CALLOC, OP_FREE, OP_MEMALIGN, OP_REALLOC, OP_FREE, OP_FREE], slot: [0, 1, 0, 0, 0, 1, 0] });
  assert.is(ops.arg[3], 64);
  assert.is(mapper.slotCount, 2);
});

test('failed requests (id 0) and failed reallocs are not replayed; the old block stays', () => {
  const { ops, mapper } = map('a 0 8\na 10 8\nr 0 10 99\nf 10\nr 0 0 5\n');
  assert.equal(cols(ops).op, [OP_NOP, OP_MALLOC, OP_NOP, OP_FREE, OP_NOP]);
  assert.is(mapper.anomalies.failedRequests, 3);
});

test('realloc to size 0 with new id 0 frees; realloc from NULL allocates', () => {
  const { ops } = map('r 10 0 8\nr 0 10 0\n');
  assert.equal(cols(ops), { op: [OP_MALLOC, OP_FREE], slot: [0, 0] });
});

test('events on ids never allocated are counted with where they are; a realloc of one allocates', () => {
  const { ops, mapper } = map('f 99\nr 20 98 8\nr 0 97 0\nf 20\n');
  assert.equal(cols(ops).op, [OP_NOP, OP_MALLOC, OP_NOP, OP_FREE]);
  assert.is(mapper.anomalies.unknownIds, 3);
  assert.equal(mapper.anomalies.firstUnknown, ['event 0 (line 2): f 99', 'event 1 (line 3): r 20 98 8', 'event 2 (line 4): r 0 97 0']);
});

test('an id allocated again while live gets a new slot and is counted', () => {
  const { ops, mapper } = map('a 10 8\na 10 8\nf 10\n');
  assert.equal(cols(ops), { op: [OP_MALLOC, OP_MALLOC, OP_FREE], slot: [0, 1, 1] });
  assert.is(mapper.anomalies.reusedLiveIds, 1);
});

test.run();
