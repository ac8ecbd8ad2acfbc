/*
 * Writing traces: a writer takes EventChunks and streams them to a file in the text or binary
 * form, gzipped when asked (or when the name ends in .gz). `convertTrace` pipes a reader into a
 * writer, so conversion runs in bounded memory at any size. Back-pressure is honoured: `write`
 * resolves when the stream can take more.
 *
 * Round trip: text → binary → text gives back the same events (kinds, ids, sizes, alignments,
 * sites) and the same program name; comments and blank lines are not kept, and the text written
 * is canonical (lower-case hex ids without 0x, one space between fields).
 */

import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { createGzip, type Gzip } from 'node:zlib';
import { BinaryTraceEncoder } from './binary.js';
import type { EventChunk } from './events.js';
import { openTrace, type ReadOptions, type TraceFormat } from './reader.js';
import { encodeTextChunk, textHeader } from './text.js';

/** Options of `createTraceWriter`. */
export interface WriteOptions {
  /** The form to write. Default: binary when the name ends in .hltb or .hltb.gz, else text. */
  format?: TraceFormat;
  /** The program named in the header. */
  program: string;
  /** Gzip the output. Default: when the name ends in .gz. */
  gzip?: boolean;
}

/** Streams EventChunks into a trace file. */
export interface TraceWriter {
  readonly format: TraceFormat;
  /** Appends a chunk's events. */
  write(chunk: EventChunk): Promise<void>;
  /** Flushes and closes the file. */
  close(): Promise<void>;
  /** Events written. */
  readonly events: number;
}

/** The form a file name suggests: binary for .hltb (optionally .gz), else text. */
export function formatForName(file: string): TraceFormat {
  return /\.hltb(\.gz)?$/i.test(file) ? 'binary' : 'text';
}

/** Opens a file for writing a trace. */
export function createTraceWriter(file: string, options: WriteOptions): TraceWriter {
  const format = options.format ?? formatForName(file);
  if (format !== 'text' && format !== 'binary') throw new TypeError(`format must be 'text' or 'binary', got ${String(format)}`);
  const gzip = options.gzip ?? /\.gz$/i.test(file);
  const header = format === 'text' ? textHeader(options.program) : null;
  const encoder = format === 'binary' ? new BinaryTraceEncoder() : null;
  const fileStream: WriteStream = createWriteStream(file);
  const gz: Gzip | null = gzip ? createGzip() : null;
  if (gz) gz.pipe(fileStream);
  const sink = gz ?? fileStream;
  let failure: Error | null = null;
  fileStream.on('error', (e) => (failure = e));
  gz?.on('error', (e) => (failure = e));
  let events = 0;

  async function put(data: string | Uint8Array): Promise<void> {
    if (failure) throw failure;
    if (!sink.write(data)) await once(sink, 'drain');
    if (failure) throw failure;
  }

  let started = false;
  async function start(): Promise<void> {
    if (started) return;
    started = true;
    await put(header ?? encoder!.header(options.program));
  }

  return {
    format,
    get events() {
      return events;
    },
    async write(chunk: EventChunk): Promise<void> {
      await start();
      if (chunk.count === 0) return;
      await put(encoder ? encoder.encode(chunk) : encodeTextChunk(chunk));
      events += chunk.count;
    },
    async close(): Promise<void> {
      await start();
      sink.end();
      if (!fileStream.writableFinished) await once(fileStream, 'finish');
      if (failure) throw failure;
    },
  };
}

/** Writes chunks (sync or async iterable) to a file; returns the events written. */
export async function writeTrace(file: string, chunks: Iterable<EventChunk> | AsyncIterable<EventChunk>, options: WriteOptions): Promise<number> {
  const w = createTraceWriter(file, options);
  for await (const c of chunks) await w.write(c);
  await w.close();
  return w.events;
}

/** Converts a trace file to another form (or gzips it); the input form is read from its bytes. */
export async function convertTrace(
  input: string,
  output: string,
  options: { format?: TraceFormat; gzip?: boolean } & ReadOptions = {},
): Promise<{ events: number; from: TraceFormat; to: TraceFormat; program: string }> {
  const t = await openTrace(input, options);
  const format = options.format ?? formatForName(output);
  const events = await writeTrace(output, t.chunks(), { format, program: t.program, gzip: options.gzip });
  return { events, from: t.format, to: format, program: t.program };
}
