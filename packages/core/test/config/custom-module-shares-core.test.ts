/*
 * A user's allocator loaded from the configuration must be recognised by core whichever copy of
 * core it was built against: the TypeScript module is loaded so that it shares the process's
 * @heaplab/core (its classes are ours), and core's errors are branded, so an error made by a
 * second copy of the errors module still passes `instanceof` with the first.
 *
 * The first check runs in a child Node without any TypeScript loader (as `node
 * bench/dist/cli/main.js` runs), since under the test runner's tsx every .ts import already
 * shares one module graph.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { AllocatorError, ConfigError, HeaplabError, KernelError, SegmentationFault, TraceFormatError } from '../../src/index.js';

const CORE_DIR = fileURLToPath(new URL('../../', import.meta.url));
const FIRST_FIT = fileURLToPath(new URL('../../../../examples/first-fit/first-fit.ts', import.meta.url));

test('a TypeScript allocator module loaded by loadConfig without a TypeScript loader shares our @heaplab/core', () => {
  const script = `
    const core = await import('@heaplab/core');
    const config = await core.loadConfig({ file: null, env: { HEAPLAB_ALLOCATORS__FIRST_FIT__MODULE: ${JSON.stringify(FIRST_FIT)} }, registry: core.createRegistry() });
    const a = config.registry.create('first-fit', core.createAddressSpace({ size: 2 ** 24 }), {});
    let error = null;
    try { a.malloc(-1); } catch (e) { error = e; }
    console.log(JSON.stringify({ base: a instanceof core.AllocatorBase, sameClass: Object.getPrototypeOf(error) === core.AllocatorError.prototype }));
  `;
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: CORE_DIR, env, encoding: 'utf8' });
  assert.is(r.status, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout.trim()), { base: true, sameClass: true });
});

test('errors made by a second copy of core\'s errors module are instances of ours', async () => {
  const errorsCopy = new URL('../../src/errors.ts?second-copy', import.meta.url).href;
  const traceCopy = new URL('../../src/trace/errors.ts?second-copy', import.meta.url).href;
  const other = (await import(errorsCopy)) as typeof import('../../src/errors.js');
  const otherTrace = (await import(traceCopy)) as typeof import('../../src/trace/errors.js');
  assert.is.not(other.AllocatorError, AllocatorError, 'a second copy of the module');
  const misuse = new other.AllocatorError('bad-size', 'size must be a non-negative integer, got -1');
  assert.ok(misuse instanceof AllocatorError);
  assert.ok(misuse instanceof HeaplabError);
  assert.not.ok(misuse instanceof KernelError);
  assert.ok(new other.KernelError('ENOMEM', 'sbrk', 'no room') instanceof KernelError);
  assert.ok(new other.SegmentationFault(16, 'read', 'unmapped') instanceof SegmentationFault);
  assert.ok(new other.ConfigError('fuzz.runs', 'default', 'a number') instanceof ConfigError);
  const format = new otherTrace.TraceFormatError('a.trace', { line: 2 }, 'a size', 'end of line');
  assert.ok(format instanceof TraceFormatError);
  assert.ok(format instanceof HeaplabError);
  // Ours are recognised by the other copy too, and a plain Error by neither.
  assert.ok(new AllocatorError('double-free', 'twice') instanceof other.AllocatorError);
  assert.not.ok(new Error('bad-size') instanceof AllocatorError);
  assert.not.ok((null as unknown) instanceof other.HeaplabError);
});

test('a user\'s error class extending a core error keeps the ordinary prototype check', () => {
  class MyError extends AllocatorError {}
  assert.ok(new MyError('bad-size', 'x') instanceof MyError);
  assert.ok(new MyError('bad-size', 'x') instanceof AllocatorError);
  assert.not.ok(new AllocatorError('bad-size', 'x') instanceof MyError);
});

test.run();
