import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { TextTraceParser, chunksOf, eventsOf, parseTrace } from '../../src/index.js';

test('every event kind of v1 parses, with sites, 0x ids, tabs, runs of spaces, CRLF, comments and blank lines', () => {
  const text = [
    '# heaplab-trace v1 cc1plus --version',
    '# recorded by hand',
    'a 7f00aa10 24',
    'c\t0x7f00aa40\t64\t0x4005d6',
    'm   7f00b000   100   4096   parse_tree',
    '',
    '   # an indented comment',
    'r 7f00c000 7f00aa10 48 main+12',
    'r 55 0 8',
    'r 0 55 0',
    'a 0 99999999999',
    'f 7F00AA40\r',
    'f 0X7f00b000',
  ].join('\n');
  const t = parseTrace(text, 'demo.trace');
  assert.is(t.program, 'cc1plus --version');
  assert.is(t.format, 'text');
  assert.equal(eventsOf(t.chunks), [
    { kind: 'a', id: 0x7f00aa10, arg: 0, size: 24, site: null },
    { kind: 'c', id: 0x7f00aa40, arg: 0, size: 64, site: '0x4005d6' },
    { kind: 'm', id: 0x7f00b000, arg: 4096, size: 100, site: 'parse_tree' },
    { kind: 'r', id: 0x7f00c000, arg: 0x7f00aa10, size: 48, site: 'main+12' },
    { kind: 'r', id: 0x55, arg: 0, size: 8, site: null },
    { kind: 'r', id: 0, arg: 0x55, size: 0, site: null },
    { kind: 'a', id: 0, arg: 0, size: 99999999999, site: null },
    { kind: 'f', id: 0x7f00aa40, arg: 0, size: 0, site: null },
    { kind: 'f', id: 0x7f00b000, arg: 0, size: 0, site: null },
  ]);
});

test('events carry their line numbers and a shared site table', () => {
  const t = parseTrace('# heaplab-trace v1 p\n\na 1 8 s\n# x\na 2 8 s\nf 1\n');
  const c = t.chunks[0]!;
  assert.equal([...c.line.subarray(0, c.count)], [3, 5, 6]);
  assert.equal(c.sites, ['s']);
  assert.equal([...c.site.subarray(0, c.count)], [0, 0, -1]);
});

test('ids up to 2^53 − 1 are exact', () => {
  const t = parseTrace('# heaplab-trace v1 p\na 1fffffffffffff 1\n');
  assert.is(eventsOf(t.chunks)[0]!.id, Number.MAX_SAFE_INTEGER);
});

test('a header alone is an empty trace; a last line without newline is read', () => {
  assert.equal(parseTrace('# heaplab-trace v1 empty\n').chunks, []);
  assert.is(eventsOf(parseTrace('# heaplab-trace v1 p\na 1 2').chunks).length, 1);
});

test('chunks hold at most chunkEvents events and number their first event', () => {
  const lines = ['# heaplab-trace v1 p'];
  for (let i = 1; i <= 10; i++) lines.push(`a ${i.toString(16)} ${i}`);
  const t = parseTrace(lines.join('\n') + '\n', 'x', { chunkEvents: 4 });
  assert.equal(t.chunks.map((c) => [c.firstEvent, c.count]), [[0, 4], [4, 4], [8, 2]]);
});

test('bytes fed one at a time give the same events as the whole text', () => {
  const text = '# heaplab-trace v1 p\r\na 10 5 site\r\nm 20 7 32\r\nr 30 10 9\r\nf 20\r\nf 30';
  const bytes = new TextEncoder().encode(text);
  const p = new TextTraceParser('bytes', 2);
  const chunks = [];
  for (let i = 0; i < bytes.length; i++) chunks.push(...p.push(bytes.subarray(i, i + 1)));
  chunks.push(...p.end());
  assert.equal(eventsOf(chunks), eventsOf(parseTrace(text).chunks));
});

test('events made by hand cannot carry a site the text form could not write', () => {
  assert.throws(() => chunksOf([{ kind: 'a', id: 1, arg: 0, size: 8, site: 'two words' }]), /event 0: a site must be a non-empty token without spaces, got "two words"/);
});

test.run();
