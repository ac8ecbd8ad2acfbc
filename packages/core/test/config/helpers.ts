/*
 * Helpers of the configuration tests: a temporary directory holding a heaplab.config.json, and
 * a registry that knows the tiny test allocator.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRegistry, type Registry } from '../../src/index.js';
import { strategy as tiny } from './fixtures/tiny-strategy.js';

/** Writes `text` as heaplab.config.json in a new temporary directory; returns the file. */
export function configFile(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'heaplab-config-'));
  const file = join(dir, 'heaplab.config.json');
  writeFileSync(file, text);
  return file;
}

/** The path of a fixture relative to a configuration file's directory (as a user would write it). */
export function fixtureFrom(file: string, fixture: string): string {
  const abs = fileURLToPath(new URL(`./fixtures/${fixture}`, import.meta.url));
  return relative(join(file, '..'), abs);
}

/** A registry with the tiny allocator as a built-in. */
export function tinyRegistry(): Registry {
  const r = createRegistry();
  r.add(tiny, { origin: 'test' });
  return r;
}

/** The message of the error `f` throws (async or not). */
export async function messageOf(f: () => unknown): Promise<string> {
  try {
    await f();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected an error, nothing was thrown');
}
