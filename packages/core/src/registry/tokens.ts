/*
 * The DI tokens of heaplab, declared once. They are global symbols (`Symbol.for`), so
 * two copies of core loaded side by side (its sources under tsx and its build) agree on them.
 * Core never imports tsyringe at run time: tsyringe needs `reflect-metadata` loaded first, which
 * each package's `register.ts` does, so the allocators stay usable with no container at all.
 *
 *   ALLOCATOR          the configured default allocator, wrappers stacked (one per container)
 *   ADDRESS_SPACE      the space it lives in (one per container; options from `space`)
 *   CONFIG             the loaded configuration (HeaplabConfig)
 *   REGISTRY           the strategy registry of the container
 *   ALLOCATOR_FACTORY  (name?, space?) => Allocator: any registered allocator, configured
 */

import type { Allocator } from '../api.js';
import type { AddressSpace } from '../space/address-space.js';
import type { HeaplabConfig } from '../config/config.js';
import type { Registry } from './registry.js';

/** A typed token: a symbol that remembers what it resolves to (tsyringe accepts symbols). */
export type Token<T> = symbol & { readonly __resolves?: T };

export const ALLOCATOR = Symbol.for('@heaplab/core:ALLOCATOR') as Token<Allocator>;
export const ADDRESS_SPACE = Symbol.for('@heaplab/core:ADDRESS_SPACE') as Token<AddressSpace>;
export const CONFIG = Symbol.for('@heaplab/core:CONFIG') as Token<HeaplabConfig>;
export const REGISTRY = Symbol.for('@heaplab/core:REGISTRY') as Token<Registry>;
export const ALLOCATOR_FACTORY = Symbol.for('@heaplab/core:ALLOCATOR_FACTORY') as Token<AllocatorFactoryByName>;

/** What ALLOCATOR_FACTORY resolves to: makes a configured allocator by name (default: the configured default) in a space (default: the container's). */
export type AllocatorFactoryByName = (name?: string, space?: AddressSpace) => Allocator;
