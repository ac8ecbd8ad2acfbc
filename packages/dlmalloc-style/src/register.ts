/*
 * Registration of dlmalloc-style in a tsyringe container. This file imports
 * `reflect-metadata` itself and is exported from the `./register` subpath only, so the allocator
 * class and its factory stay usable with no container at all.
 *
 * `mmapThreshold` and `trimThreshold` take a byte count or 'dynamic' (glibc's sliding threshold),
 * so their schemas are given; the other parameters' types follow from their defaults.
 */

import 'reflect-metadata';
import type { DependencyContainer } from 'tsyringe';
import { defineAllocator, registerStrategy, z, type RegisterOptions } from '@heaplab/core';
import { DEFAULT_OPTIONS, type DlmallocOptions } from './api.js';
import { createDlmallocAllocator } from './allocator.js';

const bytesOrDynamic = z.union([z.number().int().nonnegative(), z.literal('dynamic')]);

/** dlmalloc-style as a registry strategy: name, family, parameters with defaults, factory. */
export const strategy = defineAllocator<DlmallocOptions>({
  name: 'dlmalloc-style',
  family: 'boundary-tag',
  description: "Doug Lea's design: boundary tags, exact and size-sorted bins, a designated victim, an sbrk'd top chunk trimmed from the top, mmap above a threshold",
  defaults: DEFAULT_OPTIONS,
  choices: { policy: ['best-fit', 'first-fit', 'next-fit'] },
  schema: { mmapThreshold: bytesOrDynamic, trimThreshold: bytesOrDynamic },
  create: (space, parameters) => createDlmallocAllocator(space, parameters),
});

/** Registers dlmalloc-style in a container (parameters over its defaults; `default: true` makes it what ALLOCATOR resolves to). */
export function register(container: DependencyContainer, options: RegisterOptions = {}): void {
  registerStrategy(container, strategy, { ...options, origin: '@heaplab/dlmalloc-style' });
}
