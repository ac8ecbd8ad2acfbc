/*
 * A custom allocator named in the file by a module path relative to the file registers like a
 * built-in: it is listed, resolvable by name and as the default, with its parameters checked.
 */
import 'reflect-metadata';
import { container } from 'tsyringe';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ALLOCATOR, ALLOCATOR_FACTORY, configureContainer, createAddressSpace, loadConfig, registryOf, sourceText, type Allocator, type AllocatorFactoryByName } from '../../src/index.js';
import { configFile, fixtureFrom } from './helpers.js';

test('a module path relative to the file loads a custom allocator that resolves by token', async () => {
  const probe = configFile('{}');
  const rel = fixtureFrom(probe, 'tiny-strategy.ts');
  assert.ok(rel.startsWith('..'), 'the path is relative to the file, not absolute');
  const file = configFile(`{\n  "default": "my-tiny",\n  "allocators": {\n    "my-tiny": { "module": ${JSON.stringify(rel)}, "arena": 65536 }\n  }\n}`);
  const c = container.createChildContainer();
  const config = await configureContainer(c, { file, env: {} });
  assert.equal(registryOf(c).allocatorNames(), ['my-tiny']);
  const a = c.resolve<Allocator>(ALLOCATOR);
  assert.is(a.identity.name, 'tiny', 'the instance names its own kind');
  assert.is(a.identity.parameters.arena, 65536);
  assert.match(sourceText(config.sourceOf('allocators.my-tiny.module')), /heaplab\.config\.json:4$/);
  const make = c.resolve<AllocatorFactoryByName>(ALLOCATOR_FACTORY);
  const other = make('my-tiny', createAddressSpace({ size: 2 ** 24 }));
  assert.is.not(other, a);
  assert.ok(other.malloc(100) !== 0);
});

test('a module path from the environment is relative to the working directory', async () => {
  const fromCwd = relative(process.cwd(), fileURLToPath(new URL('./fixtures/tiny-strategy.ts', import.meta.url)));
  const config = await loadConfig({ file: null, env: { HEAPLAB_ALLOCATORS__ENV_TINY__MODULE: fromCwd } });
  assert.equal(config.registry.allocatorNames(), ['env-tiny']);
  assert.is(sourceText(config.sourceOf('allocators.env-tiny.module')), 'environment variable HEAPLAB_ALLOCATORS__ENV_TINY__MODULE');
});

test.run();
