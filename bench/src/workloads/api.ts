/*
 * The workload contract. A workload is a seeded generator of heaplab-trace events: the same name,
 * seed and size always give the same events, so `heaplab workload export` writes a v1 trace the
 * native driver replays exactly as heaplab does. Each workload lives in its own file in this
 * folder and is listed in index.ts.
 *
 * A workload yields EventChunks (columns of typed arrays, see @heaplab/core's trace/events.ts)
 * rather than objects, so millions of events cost no garbage. Ids are small integers reused
 * once freed (any non-zero id is valid in a trace); id 0 is never used (it means failure).
 */

import type { EventChunk } from '@heaplab/core';

/** What a workload is run with. */
export interface WorkloadOptions {
  /** Seed of the random stream, an integer in [0, 2^32). */
  seed: number;
  /** Events to make. Default: the workload's `defaultOps`. */
  ops?: number;
  /** Events per chunk. Default 65,536. */
  chunkEvents?: number;
}

/** A synthetic workload. */
export interface Workload {
  /** Registry name, lower-case with dashes (`churn`). */
  readonly name: string;
  /** One sentence: what it does and what it shows. */
  readonly description: string;
  /** Events a run makes unless told otherwise. */
  readonly defaultOps: number;
  /** The events, chunk by chunk; deterministic in (seed, ops). The program name is the workload's name. */
  events(options: WorkloadOptions): Iterable<EventChunk>;
}

/** Default seed of every workload. */
export const DEFAULT_SEED = 1;
