/*
 * The tracing wrapper writes every call that returned as heaplab-trace v1, with sites; the trace
 * reads back with the codec as the same events; failed requests have id 0, free(NULL) is absent;
 * chunks stream to onChunk.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createAddressSpace, createTracingAllocator, eventsOf, parseTrace, withAllocationSite, type EventChunk } from '../../src/index.js';
import { TinyAllocator } from '../fixtures/tiny-allocator.js';

const hex = (n: number): string => n.toString(16);

test('each call is one v1 line, with its site', () => {
  const space = createAddressSpace({ size: 64 * 2 ** 20 });
  const t = createTracingAllocator(new TinyAllocator(space, 'none', 2 ** 20), { program: 'demo' });
  const a = withAllocationSite('main.c:3', () => t.malloc(10));
  const c = t.calloc(4, 8);
  const m = t.memalign(64, 100);
  const r = withAllocationSite('grow', () => t.realloc(a, 50));
  t.free(0);
  const big = t.malloc(space.size);
  t.free(c);
  t.realloc(m, 0);
  assert.is(big, 0);
  assert.is(
    t.text(),
    [
      '# heaplab-trace v1 demo',
      `a ${hex(a)} 10 main.c:3`,
      `c ${hex(c)} 32`,
      `m ${hex(m)} 100 64`,
      `r ${hex(r)} ${hex(a)} 50 grow`,
      `a 0 ${space.size}`,
      `f ${hex(c)}`,
      `r 0 ${hex(m)} 0`,
      '',
    ].join('\n'),
  );
  const back = eventsOf(parseTrace(t.text()).chunks);
  assert.equal(back.map((e) => e.kind).join(''), 'acmrafr');
  assert.is(back[3]!.site, 'grow');
  assert.is(t.eventCount, 7);
});

test('a call that throws writes nothing; full chunks stream to onChunk', () => {
  const space = createAddressSpace({ size: 64 * 2 ** 20 });
  const chunks: EventChunk[] = [];
  const t = createTracingAllocator(new TinyAllocator(space, 'none', 2 ** 20), { chunkEvents: 4, onChunk: (c) => chunks.push(c) });
  const ps = Array.from({ length: 10 }, () => t.malloc(8));
  assert.throws(() => t.free(ps[0]! + 8));
  assert.is(t.eventCount, 10);
  assert.is(chunks.length, 2, 'two full chunks handed over');
  t.flush();
  assert.equal(chunks.map((c) => c.count), [4, 4, 2]);
  assert.is(chunks[2]!.firstEvent, 8);
});

test.run();
