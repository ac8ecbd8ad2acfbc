/*
 * The allocators bench knows by name: the strategy registry (core) holding the four built-in
 * packages, plus the custom allocators heaplab.config.json (and HEAPLAB_ variables) name by
 * module path. Configuration is loaded once, when this module is first imported (top-level
 * await: custom modules are imported then); afterwards every lookup is synchronous, as the
 * commands need. A configuration error is kept and thrown by the first lookup, so `--help`
 * works even with a broken file.
 *
 * `allocatorFactory(name)` makes the allocator with its configured parameters and no wrappers
 * (benchmarks and fuzzing measure the allocator itself); `configuredAllocator` adds the
 * configured wrapper stack, as ALLOCATOR does. A name that is not registered is a UsageError
 * listing the names that are.
 */

import type { AddressSpace, Allocator, HeaplabConfig, Parameters, Registry } from '@heaplab/core';
import { buildAllocator, createRegistry, loadConfig } from '@heaplab/core';
import { strategy as bumpFreestack } from '@heaplab/bump-freestack/register';
import { strategy as dlmallocStyle } from '@heaplab/dlmalloc-style/register';
import { strategy as mmapPages } from '@heaplab/mmap-pages/register';
import { strategy as zonedClasses } from '@heaplab/zoned-classes/register';

/** Makes an allocator over a space, with options over its configured parameters. */
export type NamedFactory = (space: AddressSpace, options?: Record<string, unknown>) => Allocator;

/** A mistake on the command line: printed without a stack, exit code 2. */
export class UsageError extends Error {}

/** A registry with the built-in allocators (and core's wrappers). */
export function builtinRegistry(): Registry {
  const registry = createRegistry();
  registry.add(mmapPages, { origin: '@heaplab/mmap-pages' });
  registry.add(bumpFreestack, { origin: '@heaplab/bump-freestack' });
  registry.add(zonedClasses, { origin: '@heaplab/zoned-classes' });
  registry.add(dlmallocStyle, { origin: '@heaplab/dlmalloc-style' });
  return registry;
}

const registry = builtinRegistry();
let config: HeaplabConfig | null = null;
let configError: unknown = null;
try {
  config = await loadConfig({ registry });
} catch (e) {
  configError = e;
}

/** The configuration bench runs with (throws the error it failed to load with). */
export function benchConfig(): HeaplabConfig {
  if (configError) throw configError;
  return config!;
}

/** The registry: built-ins plus configured custom allocators. */
export function benchRegistry(): Registry {
  benchConfig();
  return registry;
}

/** Names of the allocators bench can make, in a stable order: built-ins, then custom ones. */
export function allocatorNames(): string[] {
  return benchRegistry().allocatorNames();
}

function known(name: string): void {
  if (!benchRegistry().get(name) || registry.get(name)!.strategy.kind !== 'allocator') {
    throw new UsageError(`unknown allocator "${name}"; allocators: ${allocatorNames().join(', ')}`);
  }
}

/** The factory of a named allocator (configured parameters, no wrappers); throws listing what exists. */
export function allocatorFactory(name: string): NamedFactory {
  known(name);
  const base: Parameters = benchConfig().parametersOf(name);
  return (space, options) => registry.create(name, space, { ...base, ...(options ?? {}) });
}

/** A named allocator (default: the configured default) with its configured parameters and wrapper stack. */
export function configuredAllocator(space: AddressSpace, name?: string): Allocator {
  if (name !== undefined) known(name);
  return buildAllocator(benchRegistry(), benchConfig(), space, name);
}
