// The module map of recorded traces (`# module <start>-<end> <offset> <path>` lines in the text
// form, module records in the binary form): read in order from either form, through gzip and any
// read size, kept by every conversion, absent (and harmless) in old traces; sites resolve to
// module+offset through a module file's PT_LOAD headers (a hand-made ELF here), and the leak
// report prints them that way.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BinaryTraceEncoder, chunksOf, convertTrace, eventsOf, formatLeakReport, formatSite, moduleAddress, openTrace, parseTrace,
  siteAddress, symboliseSites, traceModules, type TraceModule,
} from '../../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'heaplab-modules-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

const RECORDED = [
  '# heaplab-trace v1 demo',
  '# pid 12 ppid 1',
  '# module 555500001000-555500003000 1000 /usr/bin/demo',
  '# module 7f0000020000-7f0000090000 20000 /usr/lib/with space/libc.so.6',
  'a 555500100010 24 555500001234',
  '#   module   7f00000a0000-7f00000b0000   0   /tmp/plugin.so   ',
  '# module looks like one but is a comment',
  '# module 10-10 0 /empty/range/is/a/comment',
  'a 555500100030 48 7f00000a0040',
  'f 555500100010',
  '',
].join('\n');

const EXPECTED: TraceModule[] = [
  { start: 0x555500001000, end: 0x555500003000, offset: 0x1000, path: '/usr/bin/demo' },
  { start: 0x7f0000020000, end: 0x7f0000090000, offset: 0x20000, path: '/usr/lib/with space/libc.so.6' },
  { start: 0x7f00000a0000, end: 0x7f00000b0000, offset: 0, path: '/tmp/plugin.so' },
];

test('module lines of a text trace are read in order, malformed ones stay comments, and the events are unchanged', async () => {
  const p = parseTrace(RECORDED);
  assert.equal(p.modules, EXPECTED);
  assert.equal(eventsOf(p.chunks).map((e) => e.kind), ['a', 'a', 'f']);
  assert.equal(p.chunks[0]!.modules, EXPECTED);
  const file = join(dir, 'demo.trace');
  writeFileSync(file, RECORDED);
  assert.equal(await traceModules(file), EXPECTED);
});

test('module records survive text → binary → text and gzip, read back in pieces of 1 to 7 bytes', async () => {
  const text = join(dir, 'm.trace');
  writeFileSync(text, RECORDED);
  const bin = join(dir, 'm.hltb.gz');
  const back = join(dir, 'back.trace');
  await convertTrace(text, bin);
  await convertTrace(bin, back);
  for (const readBytes of [1, 3, 7]) {
    const t = await openTrace(bin, { readBytes });
    const events = [];
    for await (const c of t.chunks()) events.push(...eventsOf([c]));
    assert.equal(t.modules, EXPECTED, `binary, ${readBytes}-byte reads`);
    assert.is(events.length, 3);
  }
  assert.equal(await traceModules(back), EXPECTED);
  assert.equal(readFileSync(back, 'utf8').split('\n').filter((l) => l.startsWith('# module')), [
    '# module 555500001000-555500003000 1000 /usr/bin/demo',
    '# module 7f0000020000-7f0000090000 20000 /usr/lib/with space/libc.so.6',
    '# module 7f00000a0000-7f00000b0000 0 /tmp/plugin.so',
  ]);
});

test('a trace without modules reads as before: no modules, and its binary form has no module record', async () => {
  const old = '# heaplab-trace v1 old\na 10 5 site1\nf 10\n';
  const p = parseTrace(old);
  assert.equal(p.modules, []);
  const file = join(dir, 'old.trace');
  const bin = join(dir, 'old.hltb');
  writeFileSync(file, old);
  await convertTrace(file, bin);
  const enc = new BinaryTraceEncoder();
  const expected = Buffer.concat([enc.header('old'), enc.encode(chunksOf(eventsOf(p.chunks), 'old')[0]!)]);
  assert.equal([...readFileSync(bin)], [...expected]);
});

test('a binary module record cut short is an error naming its byte offset', () => {
  const enc = new BinaryTraceEncoder();
  const whole = Buffer.concat([enc.header('cut'), enc.modules([{ start: 4096, end: 8192, offset: 0, path: '/lib/x.so' }])]);
  const e = (() => {
    try {
      parseTrace(whole.subarray(0, whole.length - 3));
      return null;
    } catch (x) {
      return x as Error;
    }
  })();
  assert.ok(e, 'no error');
  assert.match(e.message, /byte \d+.*module path/);
});

/** A minimal ELF64 little-endian file with one PT_LOAD: file offset 0x1000 at vaddr 0x401000, 0x2000 bytes. */
function tinyElf(path: string): void {
  const b = Buffer.alloc(0x40 + 56);
  b.writeUInt32BE(0x7f454c46, 0);
  b[4] = 2; // 64-bit
  b[5] = 1; // little endian
  b[6] = 1;
  b.writeUInt16LE(2, 0x10); // ET_EXEC
  b.writeBigUInt64LE(0x40n, 0x20); // e_phoff
  b.writeUInt16LE(56, 0x36); // e_phentsize
  b.writeUInt16LE(1, 0x38); // e_phnum
  b.writeUInt32LE(1, 0x40); // PT_LOAD
  b.writeUInt32LE(5, 0x44); // r-x
  b.writeBigUInt64LE(0x1000n, 0x48); // p_offset
  b.writeBigUInt64LE(0x401000n, 0x50); // p_vaddr
  b.writeBigUInt64LE(0x401000n, 0x58);
  b.writeBigUInt64LE(0x2000n, 0x60); // p_filesz
  b.writeBigUInt64LE(0x2000n, 0x68);
  writeFileSync(path, b);
}

test('a site resolves to module+address through the module file\'s PT_LOAD headers, else its file offset; other sites stay as written', () => {
  const elf = join(dir, 'prog');
  tinyElf(elf);
  const modules: TraceModule[] = [
    { start: 0x555500000000, end: 0x555500002000, offset: 0x1000, path: elf },
    { start: 0x7f0000000000, end: 0x7f0000010000, offset: 0x3000, path: join(dir, 'missing.so') },
  ];
  assert.is(moduleAddress(modules[0]!, 0x555500000010), 0x401010);
  assert.is(formatSite('555500000010', modules), 'prog+0x401010');
  assert.is(formatSite('0x7f0000000100', modules), 'missing.so+0x3100');
  assert.is(formatSite('555500002000', modules), '555500002000', 'just past the end');
  assert.is(formatSite('src/app.ts:3:7', modules), 'src/app.ts:3:7');
  assert.is(siteAddress('zz'), null);
  // a later module over the same range wins
  const later = [...modules, { start: 0x555500000000, end: 0x555500001000, offset: 0, path: join(dir, 'newer.so') }];
  assert.is(formatSite('555500000010', later), 'newer.so+0x10');
  const m = symboliseSites(['555500000010', null, 'tag'], modules, { addr2line: false });
  assert.equal([...m.keys()], ['555500000010', 'tag']);
  assert.equal(m.get('555500000010'), { site: '555500000010', module: elf, address: 0x401010, function: null, line: null, text: 'prog+0x401010' });
});

test('without addr2line (a command that cannot run) sites are module+offset only', () => {
  const modules: TraceModule[] = [{ start: 0x1000, end: 0x2000, offset: 0, path: process.execPath }];
  const m = symboliseSites(['1010'], modules, { addr2line: join(dir, 'no-such-addr2line') });
  assert.is(m.get('1010')!.function, null);
  assert.match(m.get('1010')!.text, /^\S+\+0x[0-9a-f]+$/);
});

test('the leak report prints recorded sites as module+offset when given the module map, raw without it', () => {
  const modules: TraceModule[] = [{ start: 0x400000, end: 0x500000, offset: 0, path: join(dir, 'nowhere', 'app') }];
  const rows = [{ site: '400abc', count: 2, bytes: 64, largest: 32, example: 0 }, { site: null, count: 1, bytes: 8, largest: 8, example: 0 }];
  assert.match(formatLeakReport(rows, 20, { modules, addr2line: false }), /\s32\s+app\+0xabc\n/);
  assert.match(formatLeakReport(rows), /\s32\s+400abc\n/);
});

test.run();
