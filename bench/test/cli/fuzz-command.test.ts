/*
 * heaplab fuzz: the custom allocator of heaplab.config.json (examples/first-fit, a .ts module)
 * passes the contract's example checks in the built CLI, run as a user runs it (`node
 * bench/dist/cli/main.js`, no TypeScript loader of the test runner), where its errors were once
 * made by a second copy of core.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

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

test.run();
