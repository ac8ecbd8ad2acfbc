/*
 * @heaplab/bump-freestack public surface: re-exports only.
 */
export { BumpFreestackAllocator } from './bump-freestack.js';
export { createBumpFreestackAllocator, attachBumpFreestackAllocator, findBumpFreestackHeaps } from './create.js';
export { DEFAULT_OPTIONS, type BumpFreestackOptions } from './api.js';
export { computeSizeClasses, classSizes, classLookup, runBytesFor, cacheCapFor, type SizeClass } from './size-classes.js';
export { resolveOptions } from './options.js';
export type { Census } from './check.js';
