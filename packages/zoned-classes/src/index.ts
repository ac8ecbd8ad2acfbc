/*
 * @heaplab/zoned-classes public surface: re-exports only.
 */
export { ZonedAllocator, createZonedAllocator } from './zoned.js';
export { PRESETS, DEFAULT_OPTIONS, type ZonedOptions, type ZonedInit, type PresetName } from './api.js';
export { resolveOptions } from './options.js';
export { sizeClassTable, slotSizes, largestClass, type SizeClass, type SizeClassOptions } from './size-classes.js';
export { planZones, type ZonePlan, type ClassPlan } from './layout.js';
export { Random } from './random.js';
