/*
 * Errors a new user meets name the file and the way out: a missing trace given to replay, a
 * truncated .hltb.gz, options of the recorded program taken for record's own, a statically
 * linked program under the recorder (no dynamic loader, so no LD_PRELOAD), and --at past the
 * last event of maps and who. (HEAPLAB_CONFIG naming a directory: core's config-file-errors test.)
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RECORDER } from '../../src/cli/commands/trace.js';
import { elfLinking, findExecutable } from '../../src/cli/elf.js';
import { runCli } from '../helpers/run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'heaplab-errors-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

test('replay of a missing trace names the file and how to make one (no raw ENOENT)', async () => {
  const file = join(dir, 'nowhere.trace');
  const r = await runCli(['replay', file, '-a', 'mmap-pages']);
  assert.is(r.code, 1);
  assert.match(r.err, new RegExp(`^heaplab: ${file.replace(/\./g, '\\.')}: no such trace file \\(looked for .*\\); check the path, or record one with \`heaplab trace record\``));
  assert.not.match(r.err, /ENOENT/);
});

test('a truncated .hltb.gz names the file and says it is truncated', async () => {
  const whole = join(dir, 'churn.hltb.gz');
  const w = await runCli(['workload', 'export', 'churn', '--ops', '20000', '--out', whole]);
  assert.is(w.code, 0, w.err);
  const cut = join(dir, 'cut.hltb.gz');
  const bytes = readFileSync(whole);
  writeFileSync(cut, bytes.subarray(0, bytes.length >> 1));
  const r = await runCli(['trace', 'info', cut]);
  assert.is(r.code, 1);
  assert.is(r.err, `heaplab: ${cut}: its gzip data ends before its end: the file is truncated (unexpected end of file); copy or record the trace again\n`);
});

test('trace record passes the options after the program to it, and an unknown option before it says to put -- first', async () => {
  const bad = await runCli(['trace', 'record', '--out', dir, '-la', 'ls']);
  assert.is(bad.code, 2);
  assert.match(bad.err, /error: unknown option '-la'\n\(put -- before the command to record and its arguments: heaplab trace record \[options\] -- PROGRAM ARGS…\)/);
  if (!existsSync(RECORDER)) return;
  const out = mkdtempSync(join(dir, 'ls-'));
  const r = await runCli(['trace', 'record', '--out', out, 'ls', '-la', out]);
  assert.is(r.code, 0, r.err);
  assert.match(r.err, new RegExp(`^ls -la ${out}: exit 0; 1 trace in `, 'm'));
  assert.equal(readdirSync(out).filter((f) => f.startsWith('ls.')).length, 1);
});

test('elfLinking tells a dynamically linked program (PT_INTERP) from a static one and from a script', () => {
  assert.is(elfLinking(process.execPath), 'dynamic');
  const script = join(dir, 'script.sh');
  writeFileSync(script, '#!/bin/sh\nexit 0\n');
  chmodSync(script, 0o755);
  assert.is(elfLinking(script), 'not-elf');
  // A 64-bit little-endian ELF header with one PT_LOAD program header and no PT_INTERP.
  const elf = Buffer.alloc(64 + 56);
  elf.writeUInt32BE(0x7f454c46, 0);
  elf[4] = 2;
  elf[5] = 1;
  elf.writeBigUInt64LE(64n, 32);
  elf.writeUInt16LE(56, 54);
  elf.writeUInt16LE(1, 56);
  elf.writeUInt32LE(1, 64);
  writeFileSync(join(dir, 'static.elf'), elf);
  assert.is(elfLinking(join(dir, 'static.elf')), 'static');
  elf.writeUInt32LE(3, 64);
  writeFileSync(join(dir, 'dynamic.elf'), elf);
  assert.is(elfLinking(join(dir, 'dynamic.elf')), 'dynamic');
  assert.is(findExecutable('sh', '/nonexistent:/bin:/usr/bin')?.endsWith('/sh'), true);
  assert.is(findExecutable('no-such-program-here'), null);
});

test('a statically linked program under trace record is named as such, with why no trace was written', async () => {
  if (!existsSync(RECORDER)) return;
  const src = join(dir, 'static.c');
  writeFileSync(src, 'int main(void) { return 0; }\n');
  const bin = join(dir, 'static-prog');
  const cc = spawnSync('gcc', ['-static', '-o', bin, src], { encoding: 'utf8' });
  const program = cc.status === 0 ? bin : ['/sbin/ldconfig', '/usr/sbin/ldconfig'].find((p) => existsSync(p) && elfLinking(p) === 'static');
  assert.ok(program, 'a static program: gcc -static, or ldconfig');
  assert.is(elfLinking(program!), 'static');
  const out = mkdtempSync(join(dir, 'static-'));
  const r = await runCli(['trace', 'record', '--out', out, '--', program!, '--version']);
  assert.match(r.err, new RegExp(`^${program!.replace(/\./g, '\\.')} is statically linked \\(no PT_INTERP: no dynamic loader\\), so LD_PRELOAD cannot load the recorder into it`, 'm'));
  assert.match(r.err, /0 traces in .*\nno trace: .* is statically linked; record a dynamically linked build of it\n$/);
});

test('maps and who with --at past the run\'s last event say how many events there are (no silent stop)', async () => {
  const m = await runCli(['maps', '-a', 'mmap-pages', '-w', 'churn', '--ops', '1000', '--at', '5000', '--space-mib', '64']);
  assert.is(m.code, 2);
  assert.is(m.err, 'heaplab: --at 5000: churn(seed=1, ops=1000) has only 1000 events; give an event up to 1000, or leave --at out for the state after the last\n');
  const w = await runCli(['who', '0x1000', '-a', 'mmap-pages', '-w', 'churn', '--ops', '1000', '--at', '5000', '--space-mib', '64']);
  assert.is(w.code, 2);
  assert.match(w.err, /^heaplab: --at 5000: churn\(seed=1, ops=1000\) has only 1000 events/);
  const ok = await runCli(['maps', '-a', 'mmap-pages', '-w', 'churn', '--ops', '1000', '--at', '1000', '--space-mib', '64']);
  assert.is(ok.code, 0, ok.err);
});

test.run();
