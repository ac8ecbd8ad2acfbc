/*
 * @heaplab/dlmalloc-style public surface: re-exports only.
 */
export { DlmallocAllocator, createDlmallocAllocator } from './allocator.js';
export { DEFAULT_OPTIONS, type DlmallocOptions, type PlacementPolicy } from './api.js';
export { binIndex, binFloor, chunkSize } from './layout.js';
