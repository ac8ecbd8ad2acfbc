/*
 * Messages between the explorer's page and its trace worker. The page asks for one source; the
 * worker answers with chunks of events as columns (their buffers transferred), the sites that
 * appeared since the last chunk, then `done` — or `error` with a message for people.
 */

/** Where the events come from. */
export type SourceRequest =
  | { kind: 'url'; url: string; name: string }
  | { kind: 'blob'; blob: Blob; name: string }
  | { kind: 'workload'; name: string; seed: number; ops: number };

export interface OpenMessage {
  type: 'open';
  source: SourceRequest;
}

export interface ChunkMessage {
  type: 'chunk';
  count: number;
  kind: Uint8Array;
  id: Float64Array;
  size: Float64Array;
  arg: Float64Array;
  site: Int32Array;
  /** Sites added to the table since the last chunk (the table only grows). */
  newSites: string[];
  program: string;
  /** Bytes of the source read so far (compressed bytes for gzip), for progress. */
  bytesRead: number;
}

export interface DoneMessage {
  type: 'done';
  events: number;
  format: string;
}

export interface ErrorMessage {
  type: 'error';
  message: string;
}

export type WorkerMessage = ChunkMessage | DoneMessage | ErrorMessage;
