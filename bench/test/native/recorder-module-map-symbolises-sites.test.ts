/*
 * The recorder writes the program's module map (`# module` lines: executable mappings of
 * /proc/self/maps) so recorded sites resolve to module+offset and, where addr2line is installed,
 * to the function that called malloc:
 *   - bench/native/test/record-test.c under the recorder with sites: every process's file (fork,
 *     exec) has the program's own module and libc; every site lies in a module; its own call
 *     sites resolve to heaplab-record-test+0x… and to churn_once or main; `trace stats` and
 *     `who` print them that way; its binary form (with module records) still replays natively;
 *   - a program that dlopen()s a library after it started and allocates from it: the library's
 *     module line is written (the maps read again) before the first event whose site is in it,
 *     and that site resolves to the library and its function;
 *   - the same with a stripped library (no debug information, no .symtab): an exported function's
 *     call site keeps its name (a sized .dynsym symbol contains it), a static function's gets none
 *     rather than the name of the nearest exported symbol that addr2line would give.
 * Where the recorder is not built, or no C compiler exists for the dlopen program, the tests say
 * so and check nothing else.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { moduleAt, openTrace, siteAddress, symboliseSites, type TraceModule } from '@heaplab/core';
import { NATIVE_DIR } from '../../src/metrics/native.js';
import { RECORDER } from '../../src/cli/commands/trace.js';
import { runCli } from '../helpers/run-cli.js';

const TEST_PROGRAM = join(NATIVE_DIR, 'build', 'heaplab-record-test');
const built = existsSync(RECORDER) && existsSync(TEST_PROGRAM);
const hasAddr2line = spawnSync('addr2line', ['--version'], { stdio: 'ignore' }).status === 0;
const cc = ['cc', 'gcc'].find((c) => spawnSync(c, ['--version'], { stdio: 'ignore' }).status === 0);
const root = mkdtempSync(join(tmpdir(), 'heaplab-modules-'));
test.after(() => rmSync(root, { recursive: true, force: true }));

function record(dir: string, command: string, args: string[], env: NodeJS.ProcessEnv = {}): void {
  mkdirSync(dir, { recursive: true });
  const r = spawnSync(command, args, { encoding: 'utf8', env: { ...process.env, ...env, LD_PRELOAD: RECORDER, HEAPLAB_RECORD_DIR: dir, HEAPLAB_RECORD_SITES: '1' }, cwd: dir });
  assert.is(r.status, 0, `${command} under the recorder: ${r.stderr}`);
}

/** A trace's module map and its sites, each with the index of the first event that uses it. */
async function readRecorded(file: string): Promise<{ modules: TraceModule[]; sites: string[]; firstUse: Map<string, number>; modulesAt: Map<string, number> }> {
  const t = await openTrace(file);
  const firstUse = new Map<string, number>();
  const modulesAt = new Map<string, number>(); // module path → modules known when its first site's chunk was read
  for await (const c of t.chunks()) {
    for (let j = 0; j < c.count; j++) {
      const s = c.site[j]!;
      if (s >= 0 && !firstUse.has(c.sites[s]!)) firstUse.set(c.sites[s]!, c.firstEvent + j);
    }
    for (const m of t.modules) if (!modulesAt.has(m.path)) modulesAt.set(m.path, c.firstEvent + c.count);
  }
  return { modules: t.modules, sites: t.sites, firstUse, modulesAt };
}

test('record-test: every process writes its module map; every site is in a module; its own sites resolve to the program and its functions', async () => {
  if (!built) return console.log(`skipped: the recorder is not built (${RECORDER})`);
  const dir = join(root, 'record-test');
  record(dir, TEST_PROGRAM, []);
  const files = readdirSync(dir).filter((f) => f.endsWith('.trace'));
  assert.is(files.length, 4, files.join(', '));
  for (const f of files) {
    const { modules, sites } = await readRecorded(join(dir, f));
    const paths = modules.map((m) => m.path);
    assert.ok(paths.includes(TEST_PROGRAM), `${f}: no module line for ${TEST_PROGRAM}: ${paths.join(', ')}`);
    assert.ok(paths.some((p) => /\/libc[.-]/.test(p)), `${f}: no libc among ${paths.join(', ')}`);
    for (const m of modules) assert.ok(m.start < m.end && m.path.startsWith('/'), `${f}: ${JSON.stringify(m)}`);
    const outside = sites.filter((s) => moduleAt(modules, siteAddress(s)!) === null);
    assert.equal(outside, [], `${f}: sites in no module`);
  }
  const parent = files.find((f) => /^heaplab-record-test\.\d+\.trace$/.test(f) && readFileSync(join(dir, f), 'utf8').includes('ppid'))!;
  const { modules, sites } = await readRecorded(join(dir, parent));
  const where = symboliseSites(sites, modules);
  const own = [...where.values()].filter((l) => l.module === TEST_PROGRAM);
  assert.ok(own.length >= 10, `only ${own.length} sites in the program itself`); // churn_once has a dozen call sites
  for (const l of own) assert.match(l.text, /^heaplab-record-test\+0x[0-9a-f]+/);
  if (!hasAddr2line) return console.log('addr2line not installed: functions not checked');
  const functions = new Set(own.map((l) => l.function));
  assert.ok(functions.has('churn_once'), `functions found: ${[...functions].join(', ')}`);
  assert.ok(own.every((l) => l.line === null || /^record-test\.c:\d+$/.test(l.line)), own.map((l) => l.text).join('\n'));
});

test('the binary form of a recorded trace keeps its module records and the native driver replays it', async () => {
  if (!built) return console.log(`skipped: the recorder is not built (${RECORDER})`);
  const dir = join(root, 'binary');
  record(dir, TEST_PROGRAM, []);
  const file = join(dir, readdirSync(dir).filter((f) => f.endsWith('.trace'))[0]!);
  const bin = join(dir, 'x.hltb');
  const conv = await runCli(['trace', 'convert', file, bin]);
  assert.is(conv.code, 0, conv.err);
  assert.equal((await readRecorded(bin)).modules, (await readRecorded(file)).modules);
  const driver = join(NATIVE_DIR, 'build', 'heaplab-replay');
  const text = spawnSync(driver, ['-n', '1', '-q', file], { encoding: 'utf8' });
  const binary = spawnSync(driver, ['-n', '1', '-q', bin], { encoding: 'utf8' });
  assert.is(binary.status, 0, binary.stderr);
  assert.is((JSON.parse(binary.stdout) as { events: number }).events, (JSON.parse(text.stdout) as { events: number }).events);
});

test('trace stats and who print a recorded trace\'s sites as module+offset and function', async () => {
  if (!built) return console.log(`skipped: the recorder is not built (${RECORDER})`);
  const dir = join(root, 'cli');
  record(dir, TEST_PROGRAM, []);
  const file = join(dir, readdirSync(dir).filter((f) => f.endsWith('.trace')).sort((a, b) => readFileSync(join(dir, b)).length - readFileSync(join(dir, a)).length)[0]!);
  const stats = await runCli(['trace', 'stats', file]);
  assert.is(stats.code, 0, stats.err);
  assert.match(stats.out, /allocation sites by bytes requested/);
  assert.match(stats.out, hasAddr2line ? /heaplab-record-test\+0x[0-9a-f]+ churn_once \(record-test\.c:\d+\)/ : /heaplab-record-test\+0x[0-9a-f]+/);
  const json = JSON.parse((await runCli(['trace', 'stats', file, '--json'])).out) as { sites: { where: string }[] };
  assert.ok(json.sites.some((s) => s.where.startsWith('heaplab-record-test+0x')), JSON.stringify(json.sites.slice(0, 3)));
  // who: the first block dlmalloc-style hands out after 200 events of the program, whatever its address
  const maps = await runCli(['who', '0', '-a', 'dlmalloc-style', file, '--at', '200', '--maps']);
  const heap = /^([0-9a-f]+)-[0-9a-f]+ rw-p .*\[heap\]/m.exec(maps.out);
  assert.ok(heap, maps.out + maps.err);
  const r = await runCli(['who', `0x${(parseInt(heap[1]!, 16) + 0x20).toString(16)}`, '-a', 'dlmalloc-style', file, '--at', '200']);
  assert.is(r.code, 0, r.err);
  assert.match(r.out, /allocated at [0-9a-f]+/);
  assert.match(r.out, /allocation site [0-9a-f]+: \S+\+0x[0-9a-f]+/);
});

const LIB = `#include <stdlib.h>
void *volatile lib_sink;
void *lib_alloc(size_t n) { void *p = malloc(n); lib_sink = p; return p; }
__attribute__((noinline)) static void *hidden_alloc(size_t n) { void *p = malloc(n); lib_sink = p; return p; }
void *lib_alloc_hidden(size_t n) { void *p = hidden_alloc(n); lib_sink = p; return p; }
`;
const MAIN = `#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
int main(int argc, char **argv) {
  void *h = dlopen(argv[1], RTLD_NOW);
  if (!h) { fprintf(stderr, "%s\\n", dlerror()); return 1; }
  void *(*f)(size_t) = (void *(*)(size_t))dlsym(h, "lib_alloc");
  void *p = f(54321);
  free(p);
  void *(*g)(size_t) = (void *(*)(size_t))dlsym(h, "lib_alloc_hidden");
  p = g(54322);
  free(p);
  return 0;
}
`;

/** Builds the dlopen program and its library (`libFlags`: how) in `dir`, records it; the trace's lines and file. */
async function recordDlopen(dir: string, libFlags: string[]): Promise<{ lib: string; text: string[]; file: string }> {
  mkdirSync(dir);
  writeFileSync(join(dir, 'lib.c'), LIB);
  writeFileSync(join(dir, 'main.c'), MAIN);
  const lib = join(dir, 'libplugin.so');
  const exe = join(dir, 'dlopen-main');
  for (const args of [[...libFlags, '-fPIC', '-shared', '-o', lib, join(dir, 'lib.c')], ['-g', '-O1', '-o', exe, join(dir, 'main.c'), '-ldl']]) {
    const r = spawnSync(cc!, args, { encoding: 'utf8' });
    assert.is(r.status, 0, r.stderr);
  }
  const out = join(dir, 'traces');
  record(out, exe, [lib]);
  const [name] = readdirSync(out);
  const file = join(out, name!);
  return { lib, file, text: readFileSync(file, 'utf8').split('\n') };
}

test('a library dlopen()ed after start: its module line comes before the first event whose site is in it, and the site resolves to it', async () => {
  if (!built) return console.log(`skipped: the recorder is not built (${RECORDER})`);
  if (cc === undefined) return console.log('skipped: no C compiler to build the dlopen program');
  const { lib, file, text } = await recordDlopen(join(root, 'dlopen'), ['-g', '-O1']);
  const moduleLine = text.findIndex((l) => l.startsWith('# module ') && l.endsWith(`/${basename(lib)}`));
  const eventLine = text.findIndex((l) => l.startsWith('a ') && / 54321 /.test(l));
  assert.ok(moduleLine > 0, `no module line for ${lib}:\n${text.filter((l) => l.startsWith('#')).join('\n')}`);
  assert.ok(eventLine > moduleLine, `module line ${moduleLine}, event line ${eventLine}`);
  assert.ok(text.slice(0, moduleLine).some((l) => /^[acmrf] /.test(l)), 'events (the loader\'s, for dlopen) come before the library\'s module line');
  const { modules } = await readRecorded(file);
  const site = text[eventLine]!.split(' ')[3]!;
  const where = symboliseSites([site], modules).get(site)!;
  assert.is(where.module, lib);
  assert.match(where.text, /^libplugin\.so\+0x[0-9a-f]+/);
  if (hasAddr2line) assert.is(where.function, 'lib_alloc');
});

test('in a stripped library an exported function keeps its name, a static one gets none instead of a neighbour\'s', async () => {
  if (!built) return console.log(`skipped: the recorder is not built (${RECORDER})`);
  if (cc === undefined) return console.log('skipped: no C compiler to build the dlopen program');
  if (!hasAddr2line) return console.log('skipped: addr2line not installed');
  const { file, text } = await recordDlopen(join(root, 'stripped'), ['-O0', '-s']);
  const siteOf = (size: number): string => text.find((l) => l.startsWith('a ') && l.split(' ')[2] === String(size))!.split(' ')[3]!;
  const { modules } = await readRecorded(file);
  const where = symboliseSites([siteOf(54321), siteOf(54322)], modules);
  assert.equal([where.get(siteOf(54321))!.function, where.get(siteOf(54321))!.line], ['lib_alloc', null]);
  assert.is(where.get(siteOf(54322))!.function, null, where.get(siteOf(54322))!.text);
  assert.match(where.get(siteOf(54322))!.text, /^libplugin\.so\+0x[0-9a-f]+$/);
});

test.run();
