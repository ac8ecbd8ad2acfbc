/*
 * The conformance kit's runs and seed come from the configuration module: the environment over
 * the file (HEAPLAB_CONFIG names it), over the defaults.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { fuzzRuns, fuzzSeed } from '../../src/testing/index.js';
import { readSettings } from '../../src/index.js';
import { configFile } from './helpers.js';

function withEnv<T>(vars: Record<string, string | undefined>, f: () => T): T {
  const before: Record<string, string | undefined> = {};
  for (const k of Object.keys(vars)) {
    before[k] = process.env[k];
    if (vars[k] === undefined) delete process.env[k];
    else process.env[k] = vars[k];
  }
  try {
    return f();
  } finally {
    for (const k of Object.keys(before)) {
      if (before[k] === undefined) delete process.env[k];
      else process.env[k] = before[k];
    }
  }
}

test('fuzz runs and seed from the file, then the environment over it', () => {
  const file = configFile('{ "fuzz": { "runs": 17, "seed": 5 } }');
  withEnv({ HEAPLAB_CONFIG: file, HEAPLAB_FUZZ__RUNS: undefined, HEAPLAB_FUZZ__SEED: undefined }, () => {
    assert.is(fuzzRuns(), 17);
    assert.is(fuzzSeed(), 5);
  });
  withEnv({ HEAPLAB_CONFIG: file, HEAPLAB_FUZZ__RUNS: '3', HEAPLAB_FUZZ__SEED: undefined }, () => {
    assert.is(fuzzRuns(), 3);
    assert.is(fuzzSeed(), 5);
  });
});

test('defaults without a file or variables', () => {
  const s = readSettings({ file: null, env: {} });
  assert.equal(s.fuzz, { runs: 1000, seed: 1 });
  assert.equal(s.space, { size: 2 ** 32, pageSize: 4096, backing: 'array' });
});

test.run();
