/*
 * heaplab fuzz and the configuration's tool settings:
 *   - the custom allocator of heaplab.config.json (examples/first-fit, a .ts module) passes the
 *     contract's example checks in the built CLI, run as a user runs it (`node
 *     bench/dist/cli/main.js`, no TypeScript loader of the test runner), where its errors were
 *     once made by a second copy of core;
 *   - fuzz.runs, fuzz.seed and `default` take effect through their variables, and the seed a
 *     failing run prints replays the same failure (a deliberately broken allocator: core's tiny
 *     test allocator with bug=overlap, named by HEAPLAB_ALLOCATORS__TINY__MODULE);
 *   - bench.operations, bench.repeats and bench.seed reach benchSettings() through theirs.
 * The variables are read when the CLI starts, so each case runs it in a child process.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { loadConfig, type HeaplabConfig } from '@heaplab/core';
import { allocatorHelp, allocatorOrDefault, benchSettings, builtinRegistry, fuzzSettings } from '../../src/allocators.js';
import { runCli } from '../helpers/run-cli.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const BUILT = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));

/** The built CLI in a child process, from the repository root, without the test runner's loader. */
function builtCli(args: string[], extraEnv: Record<string, string> = {}): { code: number | null; out: string; err: string } {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extraEnv };
  delete env.NODE_OPTIONS;
  const r = spawnSync(process.execPath, [BUILT, ...args], { cwd: ROOT, env, encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

test('a custom allocator from the config passes fuzz --examples in the built CLI (its errors are recognised as core\'s)', () => {
  const r = builtCli(['fuzz', '-a', 'first-fit', '--examples', '--runs', '20', '--seed', '7']);
  assert.is(r.code, 0, r.err);
  assert.match(r.out, /first-fit: 20 sequences passed/);
});

const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const TINY = { HEAPLAB_ALLOCATORS__TINY__MODULE: 'packages/core/test/config/fixtures/tiny-strategy.ts' };

/** The CLI from its sources (tsx) in a child process, from the repository root, with variables added. */
function cli(args: string[], extraEnv: Record<string, string> = {}): { code: number | null; out: string; err: string } {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extraEnv };
  delete env.NODE_OPTIONS;
  for (const k of Object.keys(env)) if (k.startsWith('HEAPLAB_') && !(k in extraEnv)) delete env[k];
  const r = spawnSync(process.execPath, ['--import', 'tsx', MAIN, ...args], { cwd: ROOT, env, encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** The failure's report without the lines that change from run to run (the allocator's instance id). */
function failure(err: string): string {
  return err.replace(/#\d+/g, '#N');
}

test('the seed a failing fuzz run prints replays the same failure, through HEAPLAB_FUZZ__SEED and through the printed command', () => {
  const broken = { ...TINY, HEAPLAB_ALLOCATORS__TINY__BUG: 'overlap' };
  const first = cli(['fuzz', '-a', 'tiny', '--runs', '50'], broken);
  assert.is(first.code, 1, first.err);
  const seed = /replay with HEAPLAB_FUZZ__SEED=(\d+)\)/.exec(first.err)?.[1];
  assert.ok(seed, first.err);
  assert.match(first.out, new RegExp(`^round 1: 50 sequences, seed ${seed} … failed$`, 'm'));
  assert.match(first.err, new RegExp(`reproduce with: heaplab fuzz -a tiny --seed ${seed} --runs 50\n$`));
  const byVariable = cli(['fuzz', '-a', 'tiny', '--runs', '50'], { ...broken, HEAPLAB_FUZZ__SEED: seed! });
  assert.is(byVariable.code, 1);
  assert.match(byVariable.out, new RegExp(`seed ${seed} … failed`));
  assert.is(failure(byVariable.err), failure(first.err));
  const printed = /reproduce with: heaplab (.*)\n$/.exec(first.err)![1]!.split(' ');
  const byCommand = cli(printed, broken);
  assert.is(failure(byCommand.err), failure(first.err));
});

test('fuzz takes its runs from HEAPLAB_FUZZ__RUNS, its seed from HEAPLAB_FUZZ__SEED and its allocator from HEAPLAB_DEFAULT', () => {
  const r = cli(['fuzz'], { ...TINY, HEAPLAB_DEFAULT: 'tiny', HEAPLAB_FUZZ__RUNS: '4', HEAPLAB_FUZZ__SEED: '77' });
  assert.is(r.code, 0, r.err);
  assert.match(r.out, /^round 1: 4 sequences, seed 77 … ok/m);
  assert.match(r.out, /^tiny: 4 sequences passed$/m);
});

/** The configuration with these variables and no file, over the built-in allocators. */
function configWith(env: Record<string, string>): Promise<HeaplabConfig> {
  return loadConfig({ file: null, env, registry: builtinRegistry() });
}

test('-a defaults to the configured default (HEAPLAB_DEFAULT) and the help says so; flags win over fuzz.runs and fuzz.seed', async () => {
  const withDefault = await configWith({ HEAPLAB_DEFAULT: 'dlmalloc-style', HEAPLAB_FUZZ__RUNS: '4', HEAPLAB_FUZZ__SEED: '77' });
  assert.is(allocatorOrDefault(undefined, withDefault), 'dlmalloc-style');
  assert.is(allocatorOrDefault('mmap-pages', withDefault), 'mmap-pages');
  assert.is(allocatorHelp('allocator to fuzz', withDefault), 'allocator to fuzz (default: dlmalloc-style, the configured default: "default" of heaplab.config.json or HEAPLAB_DEFAULT)');
  assert.equal(fuzzSettings({}, withDefault), { runs: 4, seed: 77 });
  assert.equal(fuzzSettings({ runs: 3, seed: 5 }, withDefault), { runs: 3, seed: 5 });
  assert.equal(fuzzSettings({}, await configWith({})), { runs: 1000, seed: null }, 'no seed configured: a fresh one is drawn');
});

test('without -a and with no default configured, fuzz, maps and who say how to name an allocator (exit 2), and their help says when -a is needed', async () => {
  for (const args of [['fuzz'], ['maps', '-w', 'churn'], ['who', '0x1000', '-w', 'churn']]) {
    const r = await runCli(args);
    assert.is(r.code, 2, args.join(' '));
    assert.match(r.err, /^heaplab: -a, --allocator: name an allocator \(mmap-pages, bump-freestack, zoned-classes, dlmalloc-style, buddy, kmalloc, vmalloc, first-fit[^)]*\), or configure a default \("default" in heaplab\.config\.json or HEAPLAB_DEFAULT\)\n$/);
    const help = await runCli([args[0]!, '--help']);
    assert.match(help.out.replace(/\s+/g, ' '), /-a, --allocator <name> allocator to (fuzz|run); required unless a default is configured \("default" of heaplab\.config\.json or HEAPLAB_DEFAULT\)/);
  }
});

test('bench.operations, bench.repeats and bench.seed reach bench through HEAPLAB_BENCH__* (and only when set)', async () => {
  assert.equal(benchSettings(await configWith({ HEAPLAB_BENCH__OPERATIONS: '5000', HEAPLAB_BENCH__REPEATS: '3', HEAPLAB_BENCH__SEED: '9' })), { operations: 5000, repeats: 3, seed: 9 });
  assert.equal(benchSettings(await configWith({ HEAPLAB_BENCH__REPEATS: '2' })), { repeats: 2 });
  assert.equal(benchSettings(await configWith({})), {});
});

test.run();
