/*
 * Registration of the kernel allocators (buddy, kmalloc, vmalloc) in a tsyringe container. This
 * file imports `reflect-metadata` itself and is exported from the `./register` subpath only, so
 * the allocator classes and their factories stay usable with no container at all.
 *
 *   import { register } from '@heaplab/kernel/register';
 *   register(container, 'kmalloc', { default: true, parameters: { redZone: true } });
 *   const heap = container.resolve<Allocator>(ALLOCATOR);
 */

import 'reflect-metadata';
import type { DependencyContainer } from 'tsyringe';
import { defineAllocator, registerStrategy, type RegisterOptions } from '@heaplab/core';
import { BUDDY_DEFAULTS, KMALLOC_DEFAULTS, VMALLOC_DEFAULTS, type BuddyOptions, type KmallocOptions, type VmallocOptions } from './api.js';
import { createBuddyAllocator } from './buddy.js';
import { createKmallocAllocator } from './kmalloc.js';
import { createVmallocAllocator } from './vmalloc.js';

/** buddy as a registry strategy. */
export const buddyStrategy = defineAllocator<BuddyOptions>({
  name: 'buddy',
  family: 'kernel',
  description: 'every request one block of 2^order page frames from a buddy allocator (alloc_pages)',
  defaults: BUDDY_DEFAULTS,
  create: (space, parameters) => createBuddyAllocator(space, parameters),
});

/** kmalloc as a registry strategy. */
export const kmallocStrategy = defineAllocator<KmallocOptions>({
  name: 'kmalloc',
  family: 'kernel',
  description: 'SLUB-style slab caches kmalloc-16 … kmalloc-8k over buddy page frames; larger requests straight to alloc_pages',
  defaults: KMALLOC_DEFAULTS,
  create: (space, parameters) => createKmallocAllocator(space, parameters),
});

/** vmalloc as a registry strategy. */
export const vmallocStrategy = defineAllocator<VmallocOptions>({
  name: 'vmalloc',
  family: 'kernel',
  description: 'page-granular virtually contiguous areas with a guard page each, lowest fit in a tree of free areas, one frame per page',
  defaults: VMALLOC_DEFAULTS,
  create: (space, parameters) => createVmallocAllocator(space, parameters),
});

/** The three strategies, by name. */
export const strategies = { buddy: buddyStrategy, kmalloc: kmallocStrategy, vmalloc: vmallocStrategy } as const;

/** Registers one kernel allocator in a container (parameters over its defaults; `default: true` makes it what ALLOCATOR resolves to). */
export function register(container: DependencyContainer, name: keyof typeof strategies, options: RegisterOptions = {}): void {
  const s = strategies[name];
  if (!s) throw new TypeError(`@heaplab/kernel register: unknown allocator ${JSON.stringify(name)}; one of ${Object.keys(strategies).join(', ')}`);
  registerStrategy(container, s, { ...options, origin: '@heaplab/kernel' });
}
