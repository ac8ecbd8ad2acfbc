/*
 * @heaplab/core public surface: re-exports only.
 */
export * from './api.js';
export * from './errors.js';
export { AddressSpace, createAddressSpace, attachAddressSpace, MAX_SPACE_SIZE, PAGE_HEAP, PAGE_MAPPED, PAGE_READ, PAGE_RESIDENT, PAGE_START, PAGE_WRITE } from './space/address-space.js';
export { PagedMemory } from './space/paged-memory.js';
export { PAGE_FOREIGN, PAGED_LOW_BYTES, MAX_PHYSICAL } from './space/paged-kernel.js';
export { formatMaps } from './space/maps.js';
export { BuddyFrames, FrameError, formatBuddyinfo, DEFAULT_MAX_ORDER, MAX_MAX_ORDER, MAX_FRAMES, type BuddyFramesOptions, type FrameErrorCode } from './space/frames.js';
export { FlatMemory, type RawMemory } from './space/memory.js';
export { createIdentity, identityChain, type IdentityInit } from './identity.js';
export { AllocatorBase, type HeapFigures } from './allocator/base.js';
export { MIN_ALIGN, alignUp, isAligned, checkSize, checkAlignment, checkPointer } from './allocator/validate.js';
export * from './trace/index.js';
export * from './replay/index.js';
// Registry, identities, configuration, wrappers, leak report
export { setParent, bindInstance, instanceOf, describeIdentity, type IdentityRecord } from './identity.js';
export { ALLOCATOR, ADDRESS_SPACE, CONFIG, REGISTRY, ALLOCATOR_FACTORY, type Token, type AllocatorFactoryByName } from './registry/tokens.js';
export { z } from 'zod';
export { defineAllocator, defineWrapper, isAllocatorStrategy, parameterSchema, type AllocatorStrategy, type WrapperStrategy, type Strategy, type Parameters } from './registry/strategy.js';
export { Registry, createRegistry, type RegistryEntry, type RegisterOptions, type WrapperLayer } from './registry/registry.js';
export { registryOf, registerStrategy, useConfig, configureContainer, buildAllocator, defaultAllocatorName } from './registry/container.js';
export { whoOwns, type Ownership } from './registry/who-owns.js';
export { loadConfig, readSettings, findConfigFile, HeaplabConfig, type LoadOptions, type ConfigEntry, type AllocatorSection } from './config/config.js';
export { envName, upperSnake, RESERVED_VARIABLES } from './config/env.js';
export { sourceText, type Source } from './config/source.js';
export { SETTINGS_DEFAULTS, type Settings } from './config/schema.js';
export { WrapperBase, isSiteRecorder, type SiteRecorder, type WrapperInit } from './wrappers/base.js';
export { setAllocationSite, currentAllocationSite, withAllocationSite, callerSite, type SiteMode } from './wrappers/sites.js';
export { CheckingAllocator, createCheckingAllocator, CHECKING_DEFAULTS, type CheckingOptions } from './wrappers/checking.js';
export { TracingAllocator, createTracingAllocator, TRACING_DEFAULTS, type TracingOptions } from './wrappers/tracing.js';
export { StatsAllocator, createStatsAllocator, STATS_DEFAULTS, sizeBucket, bucketRange, type StatsOptions, type HistogramRow } from './wrappers/stats.js';
export { LockedAllocator, createLockedAllocator, LOCKED_DEFAULTS, type LockedOptions } from './wrappers/locked.js';
export { tracingStrategy, checkingStrategy, statsStrategy, lockedStrategy, CORE_WRAPPERS } from './wrappers/strategies.js';
export { leakReport, leaksOf, formatLeakReport, type LeakRow, type LiveBlockSite, type LeakReportOptions } from './wrappers/leaks.js';
