/*
 * The allocators comparisons run: every allocator of the registry (allocators.ts, configured
 * parameters, no wrappers) and the adapters of outside libraries users would pick instead —
 * today @thi.ng/malloc as `thing-malloc`. A name neither knows is a UsageError listing both.
 */

import type { AddressSpace, Allocator, AllocatorStrategy } from '@heaplab/core';
import { UsageError, allocatorFactory, allocatorNames, type NamedFactory } from '../allocators.js';
import { createThingMallocAllocator, thingMallocStrategy } from './thing-malloc.js';

export { ThingMallocAllocator, createThingMallocAllocator, thingMallocStrategy, THING_MALLOC_DEFAULTS, type ThingMallocOptions } from './thing-malloc.js';

const ADAPTERS = new Map<string, NamedFactory>([[thingMallocStrategy.name, (space: AddressSpace, options?: Record<string, unknown>): Allocator => createThingMallocAllocator(space, options)]]);

/** The adapters as registry strategies (the experiment protocol registers them on first use). */
export function adapterStrategies(): AllocatorStrategy[] {
  return [thingMallocStrategy as unknown as AllocatorStrategy];
}

/** Names of the adapters of outside libraries. */
export function adapterNames(): string[] {
  return [...ADAPTERS.keys()];
}

/** Every allocator a comparison can run: the registry's, then the adapters not registered there. */
export function comparedNames(): string[] {
  const registered = allocatorNames();
  return [...registered, ...adapterNames().filter((n) => !registered.includes(n))];
}

/** The factory of a registered allocator or an adapter; a usage error listing both when unknown. */
export function comparedFactory(name: string): NamedFactory {
  if (allocatorNames().includes(name)) return allocatorFactory(name);
  const a = ADAPTERS.get(name);
  if (a) return a;
  throw new UsageError(`unknown allocator "${name}"; allocators: ${comparedNames().join(', ')}`);
}
