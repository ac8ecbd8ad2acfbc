/*
 * The trace codec (heaplab-trace v1 text, the HLTB binary form, gzip, streaming): re-exports only.
 * See README.md in this folder for the formats.
 */
export {
  EV_MALLOC, EV_CALLOC, EV_MEMALIGN, EV_REALLOC, EV_FREE, EVENT_LETTERS, DEFAULT_CHUNK_EVENTS,
  createEventChunk, pushEvent, eventsOf, chunksOf, type EventChunk, type TraceEvent, type TraceModule,
} from './events.js';
export { TraceFormatError, type TracePlace } from './errors.js';
export { TextTraceParser, encodeTextChunk, textHeader, textModuleLines } from './text.js';
export { BinaryTraceParser, BinaryTraceEncoder, BINARY_MAGIC, BINARY_VERSION } from './binary.js';
export { TraceParser, parseTrace, openTrace, readTrace, type OpenTrace, type ReadOptions, type TraceFormat } from './reader.js';
export { createTraceWriter, writeTrace, convertTrace, formatForName, writeFileAtomic, writeFileAtomicSync, sameFile, temporaryPathFor, type TraceWriter, type WriteOptions } from './writer.js';
export { siteAddress, moduleAt, moduleAddress, formatSite, symboliseSites, traceModules, type SiteLocation, type SymboliseOptions } from './modules.js';
