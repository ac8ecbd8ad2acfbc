/*
 * Parameters of the built-in allocators from the environment, as the brief spells them
 * (HEAPLAB_ALLOCATORS__DLMALLOC_STYLE__MMAP_THRESHOLD), reach the instance; bad ones are refused
 * with the key, the variable and what was expected.
 */
import 'reflect-metadata';
import { container } from 'tsyringe';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ALLOCATOR, loadConfig, useConfig, registryOf, type Allocator } from '@heaplab/core';
import { register as registerDlmalloc } from '@heaplab/dlmalloc-style/register';
import { register as registerZoned } from '@heaplab/zoned-classes/register';
import { builtinRegistry } from '../../src/allocators.js';

test('HEAPLAB_ALLOCATORS__DLMALLOC_STYLE__MMAP_THRESHOLD reaches the dlmalloc-style instance ALLOCATOR resolves to', async () => {
  const c = container.createChildContainer();
  registerDlmalloc(c);
  registerZoned(c);
  const env = { HEAPLAB_DEFAULT: 'dlmalloc-style', HEAPLAB_ALLOCATORS__DLMALLOC_STYLE__MMAP_THRESHOLD: '262144', HEAPLAB_SPACE__SIZE: String(2 ** 28) };
  useConfig(c, await loadConfig({ file: null, env, registry: registryOf(c) }));
  const a = c.resolve<Allocator>(ALLOCATOR);
  assert.is(a.identity.name, 'dlmalloc-style');
  assert.is(a.identity.parameters.mmapThreshold, 262144);
  const below = a.malloc(200_000); // under the threshold now: from the heap segment, not a mapping of its own
  assert.ok(a.space.mappingAt(below)!.heap, 'a 200,000-byte block comes from [heap] with the raised threshold');
});

test('bad built-in parameters name key, variable and expectation', async () => {
  const fail = async (env: Record<string, string>): Promise<string> => {
    try {
      await loadConfig({ file: null, env, registry: builtinRegistry() });
    } catch (e) {
      return (e as Error).message;
    }
    return 'no error';
  };
  assert.is(
    await fail({ HEAPLAB_ALLOCATORS__DLMALLOC_STYLE__MMAP_THRESHOLD: 'sometimes' }),
    'environment variable HEAPLAB_ALLOCATORS__DLMALLOC_STYLE__MMAP_THRESHOLD: allocators.dlmalloc-style.mmapThreshold: expected a number or "dynamic", got "sometimes"',
  );
  assert.is(
    await fail({ HEAPLAB_ALLOCATORS__ZONED_CLASSES__PRESET: 'heavy' }),
    'environment variable HEAPLAB_ALLOCATORS__ZONED_CLASSES__PRESET: allocators.zoned-classes.preset: expected one of "default", "light", got "heavy"',
  );
  assert.is(
    await fail({ HEAPLAB_ALLOCATORS__MMAP_PAGES__GUARD_PAGE: 'maybe' }),
    'environment variable HEAPLAB_ALLOCATORS__MMAP_PAGES__GUARD_PAGE: allocators.mmap-pages.guardPage: expected true or false, got "maybe"',
  );
});

test.run();
