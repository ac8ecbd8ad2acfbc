/*
 * Each bad configuration is a ConfigError naming the key, its source (file and line, or the
 * variable) and what was expected. The messages are asserted in full.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ConfigError, loadConfig, readSettings } from '../../src/index.js';
import { configFile, fixtureFrom, messageOf, tinyRegistry } from './helpers.js';

async function fileError(text: string, env: Record<string, string> = {}): Promise<string> {
  const file = configFile(text);
  const m = await messageOf(() => loadConfig({ file, env, registry: tinyRegistry() }));
  return m.replace(file, 'heaplab.config.json');
}

async function envError(env: Record<string, string>): Promise<string> {
  return messageOf(() => loadConfig({ file: null, env, registry: tinyRegistry() }));
}

test('an unknown key in the file names its line and the keys that exist', async () => {
  assert.is(await fileError('{\n  "fuzz": {\n    "rusn": 5\n  }\n}\n'), 'heaplab.config.json:3: fuzz.rusn: expected one of the keys runs, seed');
  assert.is(await fileError('{ "fuz": {} }'), 'heaplab.config.json:1: fuz: expected one of the keys $schema, default, space, allocators, wrappers, wrapperOptions, fuzz, bench');
});

test('a bad value in the file names its line and what was expected', async () => {
  assert.is(await fileError('{\n  "fuzz": { "runs": -3 }\n}'), 'heaplab.config.json:2: fuzz.runs: expected a number ≥ 0, got -3');
  assert.is(await fileError('{\n  "fuzz": { "runs": 2.5 }\n}'), 'heaplab.config.json:2: fuzz.runs: expected an integer, got 2.5');
  assert.is(await fileError('{\n\n  "space": { "pageSize": 8192 }\n}'), 'heaplab.config.json:3: space.pageSize: expected one of 4096, 65536, got 8192');
});

test('a syntax error names the line', async () => {
  assert.is(await fileError('{\n  "fuzz": { "runs": 5 \n}'), 'heaplab.config.json:3: (file): expected valid JSON (CloseBraceExpected)');
});

test('a bad value in the environment names the variable', async () => {
  assert.is(await envError({ HEAPLAB_FUZZ__RUNS: 'many' }), 'environment variable HEAPLAB_FUZZ__RUNS: fuzz.runs: expected a number, got "many"');
  assert.is(await envError({ HEAPLAB_SPACE__BACKING: 'disk' }), 'environment variable HEAPLAB_SPACE__BACKING: space.backing: expected one of "array", "shared", "wasm", got "disk"');
  assert.is(await envError({ HEAPLAB_ALLOCATORS__TINY__BUG: 'sometimes' }), 'environment variable HEAPLAB_ALLOCATORS__TINY__BUG: allocators.tiny.bug: expected one of "none", "overlap", "calloc-dirty", "stats-off", "header-in-block", got "sometimes"');
});

test('an unknown variable names what exists', async () => {
  assert.is(await envError({ HEAPLAB_FUZZ__RUSN: '3' }), 'environment variable HEAPLAB_FUZZ__RUSN: fuzz.rusn: expected one of the keys fuzz.runs, fuzz.seed');
  assert.is(await envError({ HEAPLAB_ALLOCATORS__TINY__SPEED: '1' }), 'environment variable HEAPLAB_ALLOCATORS__TINY__SPEED: allocators.tiny.speed: expected a parameter of tiny: one of bug, arena');
  assert.is(
    await envError({ HEAPLAB_FUZZY: '1' }),
    'environment variable HEAPLAB_FUZZY: fuzzy: expected a configuration key: HEAPLAB_DEFAULT, HEAPLAB_SPACE, HEAPLAB_ALLOCATORS, HEAPLAB_WRAPPERS, HEAPLAB_WRAPPER_OPTIONS, HEAPLAB_FUZZ, HEAPLAB_BENCH (then __ and the key path)',
  );
});

test('bad allocator parameters name the allocator and the parameter', async () => {
  assert.is(await fileError('{\n  "allocators": {\n    "tiny": { "arena": "big" }\n  }\n}'), 'heaplab.config.json:3: allocators.tiny.arena: expected a number, got "big"');
  assert.is(await fileError('{\n  "allocators": {\n    "tiny": {\n      "arean": 4096\n    }\n  }\n}'), 'heaplab.config.json:4: allocators.tiny.arean: expected one of the keys bug, arena');
});

test('an allocator that is neither registered nor a module', async () => {
  assert.is(
    await fileError('{\n  "allocators": {\n    "nosuch": {}\n  }\n}'),
    'heaplab.config.json:3: allocators.nosuch: expected a registered allocator (tiny) or an object with "module": the path of a custom allocator',
  );
});

test('a module that does not exist, does not load, or exports no allocator', async () => {
  const missing = configFile('{\n  "allocators": {\n    "mine": { "module": "./nope.ts" }\n  }\n}');
  const m1 = await messageOf(() => loadConfig({ file: missing, env: {}, registry: tinyRegistry() }));
  assert.is(m1.replace(missing, 'heaplab.config.json'), `heaplab.config.json:3: allocators.mine.module: expected a module that exists (relative to the configuration file), got ./nope.ts (${missing.replace(/heaplab\.config\.json$/, 'nope.ts')})`);

  const broken = configFile('{}');
  const brokenPath = fixtureFrom(broken, 'broken.mjs');
  const f2 = configFile(`{\n  "allocators": {\n    "mine": {\n      "module": ${JSON.stringify(brokenPath)}\n    }\n  }\n}`);
  const m2 = await messageOf(() => loadConfig({ file: f2, env: {}, registry: tinyRegistry() }));
  assert.is(m2.replace(f2, 'heaplab.config.json'), `heaplab.config.json:4: allocators.mine.module: expected a module that loads: ${fixtureFrom(f2, 'broken.mjs')} failed with boom while loading`);

  const f3 = configFile('{}');
  const notOne = fixtureFrom(f3, 'not-an-allocator.mjs');
  const f4 = configFile(`{ "allocators": { "mine": { "module": ${JSON.stringify(notOne)} } } }`);
  const m3 = await messageOf(() => loadConfig({ file: f4, env: {}, registry: tinyRegistry() }));
  assert.is(
    m3.replace(f4, 'heaplab.config.json'),
    `heaplab.config.json:1: allocators.mine.module: expected a module exporting an allocator strategy as "strategy" (made with defineAllocator); ${fixtureFrom(f4, 'not-an-allocator.mjs')} exports answer, helper`,
  );
});

test('default and wrappers must name registered ones', async () => {
  assert.is(await envError({ HEAPLAB_DEFAULT: 'nosuch' }), 'environment variable HEAPLAB_DEFAULT: default: expected one of the allocators: tiny, got "nosuch"');
  assert.is(
    await fileError('{\n  "wrappers": ["tracing", "nope"]\n}'),
    'heaplab.config.json:2: wrappers.1: expected a registered wrapper (tracing, checking, stats, locked), got "nope"',
  );
  assert.is(await fileError('{ "wrapperOptions": { "checking": { "redZone": 0 } } }'), 'heaplab.config.json:1: wrapperOptions.checking.redZone: expected a number ≥ 1, got 0');
});

test('errors are ConfigErrors carrying key, source and expectation', async () => {
  try {
    readSettings({ file: null, env: { HEAPLAB_FUZZ__SEED: '-1' } });
    assert.unreachable('no error');
  } catch (e) {
    assert.instance(e, ConfigError);
    const c = e as ConfigError;
    assert.is(c.key, 'fuzz.seed');
    assert.is(c.source, 'environment variable HEAPLAB_FUZZ__SEED');
    assert.is(c.expected, 'a number ≥ 0, got -1');
  }
});

test.run();
