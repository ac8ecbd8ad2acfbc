/*
 * @heaplab/mmap-pages public surface: re-exports only.
 */
export { MmapPagesAllocator, createMmapPagesAllocator } from './mmap-pages.js';
export { DEFAULT_OPTIONS, type MmapPagesOptions } from './api.js';
