/*
 * The allocators bench knows by name, and how to make each over a space. This is the bench's
 * view of the catalogue; the strategy registry (core) resolves names from configuration.
 * A name that is not here is an error listing the names that are.
 */

import type { AddressSpace, Allocator } from '@heaplab/core';
import { createMmapPagesAllocator } from '@heaplab/mmap-pages';

/** Makes an allocator over a space, with options as given in configuration. */
export type NamedFactory = (space: AddressSpace, options?: Record<string, unknown>) => Allocator;

const FACTORIES = new Map<string, NamedFactory>([
  ['mmap-pages', (space, options) => createMmapPagesAllocator(space, options)],
]);

/** Names of the allocators bench can make, in a stable order. */
export function allocatorNames(): string[] {
  return [...FACTORIES.keys()];
}

/** Adds an allocator under a name (used as allocator packages land). */
export function defineAllocator(name: string, factory: NamedFactory): void {
  FACTORIES.set(name, factory);
}

/** The factory of a named allocator; throws listing what exists. */
export function allocatorFactory(name: string): NamedFactory {
  const f = FACTORIES.get(name);
  if (!f) throw new UsageError(`unknown allocator "${name}"; allocators: ${allocatorNames().join(', ')}`);
  return f;
}

/** A mistake on the command line: printed without a stack, exit code 2. */
export class UsageError extends Error {}
