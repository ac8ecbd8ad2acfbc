/*
 * Registration of mmap-pages in a tsyringe container. This file imports
 * `reflect-metadata` itself and is exported from the `./register` subpath only, so the allocator
 * class and its factory stay usable with no container at all.
 *
 *   import { register } from '@heaplab/mmap-pages/register';
 *   register(container, { default: true, parameters: { guardPage: true } });
 *   const heap = container.resolve<Allocator>(ALLOCATOR);
 */

import 'reflect-metadata';
import type { DependencyContainer } from 'tsyringe';
import { defineAllocator, registerStrategy, type RegisterOptions } from '@heaplab/core';
import { DEFAULT_OPTIONS, type MmapPagesOptions } from './api.js';
import { createMmapPagesAllocator } from './mmap-pages.js';

/** mmap-pages as a registry strategy: name, family, parameters with defaults, factory. */
export const strategy = defineAllocator<MmapPagesOptions>({
  name: 'mmap-pages',
  family: 'page-per-block',
  description: 'every block its own page-rounded mapping with a size header; munmap on free',
  defaults: DEFAULT_OPTIONS,
  create: (space, parameters) => createMmapPagesAllocator(space, parameters),
});

/** Registers mmap-pages in a container (parameters over its defaults; `default: true` makes it what ALLOCATOR resolves to). */
export function register(container: DependencyContainer, options: RegisterOptions = {}): void {
  registerStrategy(container, strategy, { ...options, origin: '@heaplab/mmap-pages' });
}
