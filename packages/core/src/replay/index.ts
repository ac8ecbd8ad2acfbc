/*
 * The replay engine and its figures: re-exports only.
 */
export {
  replay, prepareReplay, runReplay, combineRuns, withTimeOf, fileSource, chunkSource,
  type TraceSource, type RunOptions, type ReplayOptions, type PreparedTrace,
} from './engine.js';
export { median, ratio, type RunFigures, type ReplayResult, type ReplaySeries } from './metrics.js';
export { SlotMapper, OP_NOP, OP_MALLOC, OP_CALLOC, OP_MEMALIGN, OP_REALLOC, OP_FREE, type OpChunk, type TraceAnomalies } from './slots.js';
