import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import {
  BinaryTraceEncoder, BinaryTraceParser, TraceFormatError, chunksOf, convertTrace, encodeTextChunk, eventsOf, openTrace,
  parseTrace, readTrace, textHeader, writeTrace, type EventChunk, type TraceEvent,
} from '../../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'heaplab-trace-test-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

const id = fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 0xffff }), fc.integer({ min: 0x7f0000000000, max: 0x7fffffffffff }), fc.constant(Number.MAX_SAFE_INTEGER));
const size = fc.oneof(fc.integer({ min: 0, max: 300 }), fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }));
const site = fc.option(fc.oneof(fc.stringMatching(/^[a-z_+0-9]{1,12}$/), fc.integer({ min: 0x400000, max: 0x7fffffffffff }).map((n) => '0x' + n.toString(16))), { nil: null });
const event: fc.Arbitrary<TraceEvent> = fc.oneof(
  fc.record({ kind: fc.constant('a' as const), id, arg: fc.constant(0), size, site }),
  fc.record({ kind: fc.constant('c' as const), id, arg: fc.constant(0), size, site }),
  fc.record({ kind: fc.constant('m' as const), id, arg: fc.integer({ min: 0, max: 52 }).map((k) => 2 ** k), size, site }),
  fc.record({ kind: fc.constant('r' as const), id, arg: id, size, site }),
  fc.record({ kind: fc.constant('f' as const), id: id.filter((x) => x !== 0), arg: fc.constant(0), size: fc.constant(0), site: fc.constant(null) }),
).map((e) => ({ ...e })); // plain objects: fast-check's records have a null prototype

function toText(events: TraceEvent[], program = 'prog'): string {
  return textHeader(program) + chunksOf(events, program, 7).map(encodeTextChunk).join('');
}

function toBinary(events: TraceEvent[], program = 'prog'): Uint8Array {
  const enc = new BinaryTraceEncoder();
  const parts = [enc.header(program), ...chunksOf(events, program, 5).map((c) => enc.encode(c))];
  return Buffer.concat(parts);
}

test('text → events → text is the identity on canonical text, and binary keeps every event', () => {
  fc.assert(
    fc.property(fc.array(event, { maxLength: 60 }), (events) => {
      const text = toText(events);
      const fromText = parseTrace(text, 't');
      assert.equal(eventsOf(fromText.chunks), events);
      const bin = toBinary(eventsOf(fromText.chunks));
      const fromBin = parseTrace(bin, 'b');
      assert.is(fromBin.format, 'binary');
      assert.is(fromBin.program, 'prog');
      assert.equal(eventsOf(fromBin.chunks), events);
      assert.is(textHeader(fromBin.program) + fromBin.chunks.map(encodeTextChunk).join(''), text);
    }),
    { numRuns: 200, seed: 42 },
  );
});

test('binary bytes fed in pieces of any size give the same events', () => {
  fc.assert(
    fc.property(fc.array(event, { maxLength: 40 }), fc.integer({ min: 1, max: 50 }), (events, piece) => {
      const bin = toBinary(events);
      const p = new BinaryTraceParser('b', 3);
      const chunks: EventChunk[] = [];
      for (let i = 0; i < bin.length; i += piece) chunks.push(...p.push(bin.subarray(i, i + piece)));
      chunks.push(...p.end());
      assert.equal(eventsOf(chunks), events);
    }),
    { numRuns: 100, seed: 7 },
  );
});

test('binary is smaller than text on address-like ids', () => {
  const events: TraceEvent[] = [];
  for (let i = 0; i < 1000; i++) events.push({ kind: 'a', id: 0x7f3a00001000 + i * 48, arg: 0, size: 40, site: null });
  assert.ok(toBinary(events).length * 3 < new TextEncoder().encode(toText(events)).length);
});

test('convert text → binary → text through files gives the same events and canonical text', async () => {
  const text = '# heaplab-trace v1 demo app\n# comment\na 0x7f00aa10 24 main\nm 7f00b000 100 64\nr 7f00c000 7f00aa10 48\nf 7f00c000\nc 0 5\n';
  writeFileSync(join(dir, 'in.trace'), text);
  const r1 = await convertTrace(join(dir, 'in.trace'), join(dir, 'out.hltb'));
  assert.equal(r1, { events: 5, from: 'text', to: 'binary', program: 'demo app' });
  const r2 = await convertTrace(join(dir, 'out.hltb'), join(dir, 'back.trace'));
  assert.equal(r2, { events: 5, from: 'binary', to: 'text', program: 'demo app' });
  assert.is(
    readFileSync(join(dir, 'back.trace'), 'utf8'),
    '# heaplab-trace v1 demo app\na 7f00aa10 24 main\nm 7f00b000 100 64\nr 7f00c000 7f00aa10 48\nf 7f00c000\nc 0 5\n',
  );
});

test('gzip is read transparently for both forms, and written for .gz names', async () => {
  const events: TraceEvent[] = [
    { kind: 'a', id: 16, arg: 0, size: 10, site: 'x' },
    { kind: 'f', id: 16, arg: 0, size: 0, site: null },
  ];
  writeFileSync(join(dir, 'g.trace.gz'), gzipSync(toText(events)));
  writeFileSync(join(dir, 'g.hltb.gz'), gzipSync(toBinary(events)));
  for (const f of ['g.trace.gz', 'g.hltb.gz']) {
    const t = await openTrace(join(dir, f));
    assert.ok(t.compressed, f);
    const chunks: EventChunk[] = [];
    for await (const c of t.chunks()) chunks.push(c);
    assert.equal(eventsOf(chunks), events, f);
  }
  assert.equal(eventsOf(parseTrace(gzipSync(toText(events))).chunks), events);
  await writeTrace(join(dir, 'w.trace.gz'), chunksOf(events, 'prog'), { program: 'prog' });
  const raw = readFileSync(join(dir, 'w.trace.gz'));
  assert.equal([raw[0], raw[1]], [0x1f, 0x8b]);
  const back: EventChunk[] = [];
  for await (const c of readTrace(join(dir, 'w.trace.gz'))) back.push(c);
  assert.equal(eventsOf(back), events);
});

test('a file read in small pieces and small chunks equals the file read whole', async () => {
  const events: TraceEvent[] = [];
  for (let i = 0; i < 5000; i++) {
    events.push(i % 3 === 2 ? { kind: 'f', id: 0x1000 + (i - 1) * 16, arg: 0, size: 0, site: null } : { kind: 'a', id: 0x1000 + i * 16, arg: 0, size: i % 200, site: i % 7 === 0 ? `s${i % 5}` : null });
  }
  writeFileSync(join(dir, 'big.trace'), toText(events));
  writeFileSync(join(dir, 'big.hltb'), toBinary(events));
  writeFileSync(join(dir, 'big.hltb.gz'), gzipSync(toBinary(events)));
  for (const f of ['big.trace', 'big.hltb', 'big.hltb.gz']) {
    const whole = parseTrace(readFileSync(join(dir, f)), f);
    const pieces: EventChunk[] = [];
    for await (const c of readTrace(join(dir, f), { readBytes: 97, chunkEvents: 333 })) pieces.push(c);
    assert.is(pieces.length, Math.ceil(5000 / 333), f);
    assert.equal(eventsOf(pieces), eventsOf(whole.chunks), f);
    assert.equal(eventsOf(pieces), events, f);
  }
});

test('a truncated or damaged binary trace names the byte offset', () => {
  const bin = toBinary([{ kind: 'm', id: 0x7f0000001000, arg: 64, size: 1000, site: null }]);
  const cut = bin.subarray(0, bin.length - 1);
  assert.throws(() => parseTrace(cut, 'cut.hltb'), (e: Error) => e instanceof TraceFormatError && e.message === 'cut.hltb: byte 21: expected the alignment (varint), got end of file');
  const bad = Uint8Array.from(bin);
  bad[11] = 0x46; // the record's tag, with kind 6
  assert.throws(() => parseTrace(bad, 'bad.hltb'), (e: Error) => e.message === 'bad.hltb: byte 11: expected a record tag, got 0x46');
  const v2 = Uint8Array.from(bin);
  v2[4] = 2;
  assert.throws(() => parseTrace(v2, 'v2.hltb'), (e: Error) => e.message === 'v2.hltb: byte 4: expected version 1, got version 2');
});

test.run();
