/*
 * Registration of bump-freestack in a tsyringe container. This file imports
 * `reflect-metadata` itself and is exported from the `./register` subpath only, so the allocator
 * class and its factory stay usable with no container at all.
 *
 * The container makes a new heap in its space; a worker attaching to a heap another thread made
 * uses `attachBumpFreestackAllocator` directly.
 */

import 'reflect-metadata';
import type { DependencyContainer } from 'tsyringe';
import { defineAllocator, registerStrategy, type RegisterOptions } from '@heaplab/core';
import { DEFAULT_OPTIONS, type BumpFreestackOptions } from './api.js';
import { createBumpFreestackAllocator } from './create.js';

/** bump-freestack as a registry strategy: name, family, parameters with defaults, factory. */
export const strategy = defineAllocator<BumpFreestackOptions>({
  name: 'bump-freestack',
  family: 'size-class-bump',
  description: 'size classes carved by a bump pointer, lock-free free stacks per class, per-worker caches (Felker)',
  defaults: DEFAULT_OPTIONS,
  create: (space, parameters) => createBumpFreestackAllocator(space, parameters),
  // Memory carved for one class serves no other (a reclaim gives whole free runs to new runs,
  // not back to the space), so after a fill only the filling size is sure to be served again.
  oomRecovery: 'same-size',
});

/** Registers bump-freestack in a container (parameters over its defaults; `default: true` makes it what ALLOCATOR resolves to). */
export function register(container: DependencyContainer, options: RegisterOptions = {}): void {
  registerStrategy(container, strategy, { ...options, origin: '@heaplab/bump-freestack' });
}
