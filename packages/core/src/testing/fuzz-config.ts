/*
 * Fuzz settings for the kit: how many runs and which seed, from the configuration module
 * (config/config.ts): HEAPLAB_FUZZ__RUNS / HEAPLAB_FUZZ__SEED, else `fuzz.runs` / `fuzz.seed` of
 * the heaplab.config.json that applies (HEAPLAB_CONFIG, or the nearest one above the working
 * directory), else the defaults (1,000 runs, seed 1, so CI is repeatable; `heaplab fuzz` draws a
 * fresh seed and prints it). Read synchronously: no allocator module is imported. A bad value is
 * a ConfigError naming the key, its source and what was expected.
 */

import { readSettings } from '../config/config.js';
import { SETTINGS_DEFAULTS } from '../config/schema.js';

/** Default number of fast-check runs per property. */
export const DEFAULT_FUZZ_RUNS = SETTINGS_DEFAULTS.fuzz.runs;
/** Default seed: fixed so CI runs are repeatable. */
export const DEFAULT_FUZZ_SEED = SETTINGS_DEFAULTS.fuzz.seed;

/** Runs per property: HEAPLAB_FUZZ__RUNS, else fuzz.runs of heaplab.config.json, else 1,000. */
export function fuzzRuns(): number {
  return readSettings().fuzz.runs;
}

/** Seed: HEAPLAB_FUZZ__SEED, else fuzz.seed of heaplab.config.json, else 1. */
export function fuzzSeed(): number {
  return readSettings().fuzz.seed;
}
