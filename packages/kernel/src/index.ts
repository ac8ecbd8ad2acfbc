/*
 * @heaplab/kernel public surface: re-exports only.
 */
export { BuddyAllocator, createBuddyAllocator } from './buddy.js';
export { KmallocAllocator, createKmallocAllocator, type SlabInfoRow } from './kmalloc.js';
export { VmallocAllocator, createVmallocAllocator } from './vmalloc.js';
export { kmallocSizes, kmallocCaches, slabOrder, KMALLOC_MIN_SIZE, RED_ZONE, type CacheGeometry } from './kmalloc-caches.js';
export { OwnPool, frameSourceFor, physicalFigures, ownPoolBytes, type FrameSource } from './frame-source.js';
export { VmapTree } from './vmap-tree.js';
export { FRAME_DEFAULTS, BUDDY_DEFAULTS, KMALLOC_DEFAULTS, VMALLOC_DEFAULTS, type FrameOptions, type BuddyOptions, type KmallocOptions, type VmallocOptions, type PhysicalFigures } from './api.js';
