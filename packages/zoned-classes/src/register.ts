/*
 * Registration of zoned-classes in a tsyringe container. This file imports
 * `reflect-metadata` itself and is exported from the `./register` subpath only, so the allocator
 * class and its factory stay usable with no container at all.
 *
 * Parameters: `preset` ('default' or 'light', hardened_malloc's two configurations) and any
 * option over it; only what configuration sets is passed, so a preset's values are not
 * overridden by the defaults listed here.
 */

import 'reflect-metadata';
import type { DependencyContainer } from 'tsyringe';
import { defineAllocator, registerStrategy, type RegisterOptions } from '@heaplab/core';
import { DEFAULT_OPTIONS, type ZonedInit, type ZonedOptions } from './api.js';
import { createZonedAllocator } from './zoned.js';

type ZonedParameters = ZonedOptions & { preset: 'default' | 'light' };

/** zoned-classes as a registry strategy: name, family, parameters with defaults, factory. */
export const strategy = defineAllocator<ZonedParameters>({
  name: 'zoned-classes',
  family: 'zoned-size-classes',
  description: "hardened_malloc's design: a PROT_NONE zone per size class, out-of-band metadata, guard slabs, canaries, quarantines",
  defaults: { preset: 'default', ...DEFAULT_OPTIONS },
  choices: { preset: ['default', 'light'] },
  create: (space, parameters) => createZonedAllocator(space, parameters as ZonedInit),
});

/** Registers zoned-classes in a container (parameters over its preset; `default: true` makes it what ALLOCATOR resolves to). */
export function register(container: DependencyContainer, options: RegisterOptions = {}): void {
  registerStrategy(container, strategy, { ...options, origin: '@heaplab/zoned-classes' });
}
