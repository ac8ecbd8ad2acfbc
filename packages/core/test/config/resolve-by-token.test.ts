/*
 * Resolving ALLOCATOR by token with configuration from the file only, from the environment only,
 * and from both (the environment wins); each value's source is kept.
 */
import 'reflect-metadata';
import { container } from 'tsyringe';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ALLOCATOR, ADDRESS_SPACE, CONFIG, configureContainer, registerStrategy, sourceText, type Allocator, type AddressSpace, type HeaplabConfig } from '../../src/index.js';
import { strategy as tiny } from './fixtures/tiny-strategy.js';
import { configFile } from './helpers.js';

const FILE = `{
  "default": "tiny",
  "space": { "size": 67108864 },
  "allocators": {
    "tiny": { "arena": 1048576 }
  },
  "fuzz": { "runs": 5 }
}
`;

function freshContainer() {
  const c = container.createChildContainer();
  registerStrategy(c, tiny, { origin: 'test' });
  return c;
}

test('configuration from the file only', async () => {
  const c = freshContainer();
  const file = configFile(FILE);
  await configureContainer(c, { file, env: {} });
  const a = c.resolve<Allocator>(ALLOCATOR);
  assert.is(a.identity.name, 'tiny');
  assert.is(a.identity.parameters.arena, 1048576);
  assert.is(c.resolve<AddressSpace>(ADDRESS_SPACE).size, 67108864);
  assert.is(a.space, c.resolve<AddressSpace>(ADDRESS_SPACE), 'the allocator lives in the container space');
  assert.is(c.resolve<Allocator>(ALLOCATOR), a, 'one allocator per container');
  const config = c.resolve<HeaplabConfig>(CONFIG);
  assert.is(config.settings.fuzz.runs, 5);
  assert.is(sourceText(config.sourceOf('allocators.tiny.arena')).replace(/^.*\//, ''), 'heaplab.config.json:5');
  assert.is(sourceText(config.sourceOf('fuzz.seed')), 'default');
});

test('configuration from the environment only', async () => {
  const c = freshContainer();
  await configureContainer(c, {
    file: null,
    env: { HEAPLAB_DEFAULT: 'tiny', HEAPLAB_ALLOCATORS__TINY__ARENA: '2097152', HEAPLAB_SPACE__SIZE: '33554432', HEAPLAB_WRAPPERS: 'stats' },
  });
  const a = c.resolve<Allocator>(ALLOCATOR);
  assert.is(a.identity.name, 'stats', 'the configured wrapper is outermost');
  const leaf = a.space.ownerAt(a.malloc(10))!;
  assert.is(leaf.name, 'tiny');
  assert.is(leaf.parameters.arena, 2097152);
  assert.is(leaf.parent, a.identity);
  assert.is(a.space.size, 33554432);
  const config = c.resolve<HeaplabConfig>(CONFIG);
  assert.is(sourceText(config.sourceOf('allocators.tiny.arena')), 'environment variable HEAPLAB_ALLOCATORS__TINY__ARENA');
});

test('file and environment merged: the environment wins, the rest of the file stays', async () => {
  const c = freshContainer();
  const file = configFile(FILE);
  await configureContainer(c, { file, env: { HEAPLAB_ALLOCATORS__TINY__ARENA: '4194304', HEAPLAB_FUZZ__SEED: '9' } });
  const a = c.resolve<Allocator>(ALLOCATOR);
  assert.is(a.identity.parameters.arena, 4194304, 'environment over file');
  const config = c.resolve<HeaplabConfig>(CONFIG);
  assert.is(config.settings.fuzz.runs, 5, 'file value kept');
  assert.is(config.settings.fuzz.seed, 9, 'environment value added');
  assert.is(config.settings.space.size, 67108864);
  assert.is(sourceText(config.sourceOf('allocators.tiny.arena')), 'environment variable HEAPLAB_ALLOCATORS__TINY__ARENA');
  assert.match(sourceText(config.sourceOf('fuzz.runs')), /heaplab\.config\.json:7$/);
});

test('every value of the merged configuration is listed with its source', async () => {
  const c = freshContainer();
  const config = await configureContainer(c, { file: configFile(FILE), env: { HEAPLAB_FUZZ__SEED: '3' } });
  const byPath = new Map(config.entries().map((e) => [e.path, e]));
  assert.is(byPath.get('fuzz.seed')!.value, 3);
  assert.is(byPath.get('fuzz.seed')!.source.kind, 'env');
  assert.is(byPath.get('allocators.tiny.bug')!.value, 'none');
  assert.is(byPath.get('allocators.tiny.bug')!.source.kind, 'default');
  assert.is(byPath.get('default')!.value, 'tiny');
  assert.is(byPath.get('default')!.source.kind, 'file');
});

test.run();
