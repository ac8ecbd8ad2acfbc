/*
 * Fuzz settings for the kit: how many runs and which seed. Read from the environment
 * (HEAPLAB_FUZZ__RUNS, HEAPLAB_FUZZ__SEED), else from `fuzz.runs` / `fuzz.seed` of the nearest
 * heaplab.config.json above the working directory, else the defaults (1,000 runs, seed 1, so CI
 * is repeatable; `heaplab fuzz` draws a fresh seed and prints it).
 */

import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { ConfigError } from '../errors.js';

/** Default number of fast-check runs per property. */
export const DEFAULT_FUZZ_RUNS = 1000;
/** Default seed: fixed so CI runs are repeatable. */
export const DEFAULT_FUZZ_SEED = 1;

function fromEnv(name: string): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 0) throw new ConfigError(name.replace(/^HEAPLAB_/, '').toLowerCase().replace('__', '.'), `environment variable ${name}`, `a non-negative integer, got "${raw}"`);
  return n;
}

function fromFile(key: 'runs' | 'seed'): number | undefined {
  let dir = resolve(process.cwd());
  for (;;) {
    const file = join(dir, 'heaplab.config.json');
    if (existsSync(file)) {
      let json: unknown;
      try {
        json = JSON.parse(readFileSync(file, 'utf8'));
      } catch (e) {
        throw new ConfigError('(file)', file, `valid JSON (${(e as Error).message})`);
      }
      const v = (json as { fuzz?: Record<string, unknown> })?.fuzz?.[key];
      if (v === undefined) return undefined;
      if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw new ConfigError(`fuzz.${key}`, file, `a non-negative integer, got ${JSON.stringify(v)}`);
      return v;
    }
    const up = dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}

/** Runs per property: HEAPLAB_FUZZ__RUNS, else fuzz.runs of heaplab.config.json, else 1,000. */
export function fuzzRuns(): number {
  return fromEnv('HEAPLAB_FUZZ__RUNS') ?? fromFile('runs') ?? DEFAULT_FUZZ_RUNS;
}

/** Seed: HEAPLAB_FUZZ__SEED, else fuzz.seed of heaplab.config.json, else 1. */
export function fuzzSeed(): number {
  return fromEnv('HEAPLAB_FUZZ__SEED') ?? fromFile('seed') ?? DEFAULT_FUZZ_SEED;
}
