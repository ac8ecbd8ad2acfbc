/*
 * The registry inside a tsyringe container: ALLOCATOR resolves to the default (configured,
 * registered as default, or the only one); a user's class gets it with @inject(ALLOCATOR)
 * (explicit tokens: tsx emits no decorator metadata); wrappers stack outermost first.
 * The decorators are applied as calls here, since tsx compiles test files (outside the
 * tsconfig's `include`) without experimentalDecorators; bench's DI example uses the syntax.
 */
import 'reflect-metadata';
import { container, inject, injectable } from 'tsyringe';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  ALLOCATOR, ALLOCATOR_FACTORY, REGISTRY, ConfigError, WrapperBase, createRegistry, identityChain, registerStrategy, registryOf, useConfig, loadConfig,
  type Allocator, type AllocatorFactoryByName, type Registry,
} from '../../src/index.js';
import { strategy as tiny } from '../config/fixtures/tiny-strategy.js';
import { defineAllocator } from '../../src/index.js';
import { TinyAllocator } from '../fixtures/tiny-allocator.js';

const tiny2 = defineAllocator<{ arena: number }>({
  name: 'tiny-two',
  family: 'bump',
  description: 'a second kind, to have a choice',
  defaults: { arena: 2 ** 20 },
  create: (space, p) => new TinyAllocator(space, 'none', p.arena),
});

class Cache {
  constructor(readonly heap: Allocator) {}
  put(bytes: number): number {
    return this.heap.malloc(bytes);
  }
}
// = @injectable() class Cache { constructor(@inject(ALLOCATOR) readonly heap: Allocator) … }
inject(ALLOCATOR)(Cache, undefined, 0);
injectable()(Cache);

test('the only registered allocator is the default; a user class gets it with @inject(ALLOCATOR)', () => {
  const c = container.createChildContainer();
  registerStrategy(c, tiny, { origin: 'test' });
  const cache = c.resolve(Cache);
  assert.is(cache.heap.identity.name, 'tiny');
  assert.is(cache.heap, c.resolve<Allocator>(ALLOCATOR), 'the same instance');
  assert.ok(cache.put(64) !== 0);
});

test('with several allocators the one registered as default wins, else an error lists them', () => {
  const c = container.createChildContainer();
  registerStrategy(c, tiny, { origin: 'test' });
  registerStrategy(c, tiny2, { origin: 'test' });
  assert.throws(() => c.resolve(ALLOCATOR), (e: unknown) => e instanceof ConfigError && /registered: tiny, tiny-two/.test((e as Error).message));
  const d = container.createChildContainer();
  registerStrategy(d, tiny, { origin: 'test' });
  registerStrategy(d, tiny2, { origin: 'test', default: true, parameters: { arena: 65536 } });
  const a = d.resolve<Allocator>(ALLOCATOR);
  assert.is(a.identity.name, 'tiny');
  assert.is(a.identity.parameters.arena, 65536, 'registered parameters used');
});

test('configuration default and wrapper stack: outermost first, each the parent of the next', async () => {
  const c = container.createChildContainer();
  registerStrategy(c, tiny, { origin: 'test' });
  registerStrategy(c, tiny2, { origin: 'test' });
  useConfig(c, await loadConfig({ file: null, env: { HEAPLAB_DEFAULT: 'tiny-two', HEAPLAB_WRAPPERS: 'tracing,checking,stats' }, registry: registryOf(c) }));
  const a = c.resolve<Allocator>(ALLOCATOR);
  const names: string[] = [];
  for (let x: Allocator = a; ; x = (x as WrapperBase).inner) {
    names.push(x.identity.name);
    if (!(x instanceof WrapperBase)) break;
  }
  assert.equal(names, ['tracing', 'checking', 'stats', 'tiny']);
  const leaf = (((a as WrapperBase).inner as WrapperBase).inner as WrapperBase).inner;
  assert.equal(identityChain(leaf.identity).map((i) => i.name), ['tiny', 'stats', 'checking', 'tracing']);
  const make = c.resolve<AllocatorFactoryByName>(ALLOCATOR_FACTORY);
  assert.is(make('tiny').identity.name, 'tracing', 'the factory stacks the configured wrappers too');
});

test('a name taken by another strategy is refused; the registry is one per container', () => {
  const r: Registry = createRegistry();
  r.add(tiny, { origin: 'a' });
  assert.throws(() => r.add({ ...tiny, name: 'checking' }, { origin: 'b' }), /"checking" is already registered \(wrapper from @heaplab\/core\)/);
  const c = container.createChildContainer();
  assert.is(registryOf(c), c.resolve(REGISTRY));
  assert.is(registryOf(c), registryOf(c));
  assert.throws(() => registerStrategy(c, tiny, { parameters: { arena: 'big' } }), /register tiny: parameter arena/);
});

test.run();
