/*
 * The registry inside a tsyringe container. Core only uses the container's interface
 * (register, resolve, isRegistered): it never imports tsyringe at run time, so nothing here
 * needs `reflect-metadata` unless a container is used.
 *
 * The first call to `registryOf(container)` puts in it, once:
 *   REGISTRY           the Registry (core's wrappers in it)
 *   ADDRESS_SPACE      a factory making one space per container, from CONFIG's `space` settings
 *   ALLOCATOR          a factory making one allocator per container: CONFIG's `default` (else the
 *                      one registered with `default: true`, else the only one), with CONFIG's
 *                      parameters and wrapper stack, in ADDRESS_SPACE
 *   ALLOCATOR_FACTORY  (name?, space?) => a new configured allocator
 * An allocator package's `register(container, options)` is `registerStrategy(container, its
 * strategy, options)`; a custom allocator registers the same way, or from configuration.
 * `useConfig` puts CONFIG in; resolve ALLOCATOR after it (the instance is made once).
 */

import type { DependencyContainer } from 'tsyringe';
import type { Allocator } from '../api.js';
import { ConfigError } from '../errors.js';
import { AddressSpace } from '../space/address-space.js';
import { HeaplabConfig, loadConfig, type LoadOptions } from '../config/config.js';
import { SETTINGS_DEFAULTS } from '../config/schema.js';
import { Registry, type RegisterOptions } from './registry.js';
import type { Strategy } from './strategy.js';
import { ADDRESS_SPACE, ALLOCATOR, ALLOCATOR_FACTORY, CONFIG, REGISTRY, type AllocatorFactoryByName } from './tokens.js';

function configIn(c: DependencyContainer): HeaplabConfig | null {
  return c.isRegistered(CONFIG, true) ? c.resolve<HeaplabConfig>(CONFIG) : null;
}

/** The name ALLOCATOR resolves to: configuration's default, else the one registered as default, else the only allocator. */
export function defaultAllocatorName(registry: Registry, config: HeaplabConfig | null): string {
  if (config?.defaultName) return config.defaultName;
  if (registry.defaultName) return registry.defaultName;
  const names = registry.allocatorNames();
  if (names.length === 1) return names[0]!;
  throw new ConfigError('default', 'configuration', `the name of the default allocator (set "default" in heaplab.config.json or HEAPLAB_DEFAULT, or register one with { default: true }); registered: ${names.join(', ') || 'none'}`);
}

/** Makes a configured allocator by name in a space: registered parameters, then configuration's, then its wrapper stack. */
export function buildAllocator(registry: Registry, config: HeaplabConfig | null, space: AddressSpace, name?: string): Allocator {
  const n = name ?? defaultAllocatorName(registry, config);
  const a = registry.create(n, space, config?.parametersOf(n) ?? {});
  return config && config.wrappers.length > 0 ? registry.wrap(a, config.wrappers) : a;
}

/** The container's registry, set up with the heaplab tokens on first use. */
export function registryOf(container: DependencyContainer): Registry {
  if (container.isRegistered(REGISTRY, true)) return container.resolve<Registry>(REGISTRY);
  const registry = new Registry();
  container.registerInstance(REGISTRY, registry);
  let space: AddressSpace | null = null;
  let allocator: Allocator | null = null;
  container.register(ADDRESS_SPACE, {
    useFactory: (c) => (space ??= AddressSpace.create(configIn(c)?.settings.space ?? SETTINGS_DEFAULTS.space)),
  });
  container.register(ALLOCATOR, {
    useFactory: (c) => (allocator ??= buildAllocator(registry, configIn(c), c.resolve<AddressSpace>(ADDRESS_SPACE))),
  });
  container.register(ALLOCATOR_FACTORY, {
    useFactory: (c): AllocatorFactoryByName => (name, s) => buildAllocator(registry, configIn(c), s ?? c.resolve<AddressSpace>(ADDRESS_SPACE), name),
  });
  return registry;
}

/** Registers a strategy in a container: what each package's `register(container, options)` does. */
export function registerStrategy(container: DependencyContainer, strategy: Strategy, options: RegisterOptions & { origin?: string } = {}): void {
  registryOf(container).add(strategy, options);
}

/** Puts a loaded configuration in a container (its custom allocators are already in its registry). */
export function useConfig(container: DependencyContainer, config: HeaplabConfig): HeaplabConfig {
  const registry = registryOf(container);
  if (config.registry !== registry) {
    for (const e of config.registry.allocators()) if (!registry.has(e.strategy.name)) registry.add(e.strategy, { origin: e.origin, parameters: e.parameters });
  }
  container.registerInstance(CONFIG, config);
  return config;
}

/** Loads configuration against the container's registry and puts it in: `await configureContainer(container)`, then resolve synchronously. */
export async function configureContainer(container: DependencyContainer, options: Omit<LoadOptions, 'registry'> = {}): Promise<HeaplabConfig> {
  const config = await loadConfig({ ...options, registry: registryOf(container) });
  return useConfig(container, config);
}
