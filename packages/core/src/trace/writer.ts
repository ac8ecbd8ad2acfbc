/*
 * Writing traces: a writer takes EventChunks and streams them to a file in the text or binary
 * form, gzipped when asked (or when the name ends in .gz). `convertTrace` pipes a reader into a
 * writer, so conversion runs in bounded memory at any size. Back-pressure is honoured: `write`
 * resolves when the stream can take more.
 *
 * Round trip: text → binary → text gives back the same events (kinds, ids, sizes, alignments,
 * sites) and the same program name; comments and blank lines are not kept, and the text written
 * is canonical (lower-case hex ids without 0x, one space between fields).
 *
 * Every file is written whole or not at all: the bytes go to a temporary file beside the target
 * (`.<name>.<pid>.<random>.tmp`, same directory, so same file system) that is renamed over the
 * target once complete; a failure on the way (a source that throws, a full disk) removes the
 * temporary file and leaves whatever the target held before. `writeFileAtomic` and
 * `writeFileAtomicSync` do the same for any other output (reports, plots, JSON). A target that
 * is a symbolic link is replaced at the file it points to. `convertTrace` refuses an output that
 * is its input (same device and inode: the same path, a symbolic or a hard link).
 */

import { closeSync, createWriteStream, existsSync, fsyncSync, openSync, realpathSync, renameSync, rmSync, statSync, writeSync, type WriteStream } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { basename, dirname, join } from 'node:path';
import { createGzip, type Gzip } from 'node:zlib';
import { HeaplabError } from '../errors.js';
import { BinaryTraceEncoder } from './binary.js';
import type { EventChunk, TraceModule } from './events.js';
import { openTrace, type ReadOptions, type TraceFormat } from './reader.js';
import { encodeTextChunk, textHeader, textModuleLines } from './text.js';

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
  /** Flushes and closes the file, then puts it in place of the target. */
  close(): Promise<void>;
  /** Gives up: the temporary file is removed and the target keeps what it held. */
  abort(): Promise<void>;
  /** Events written. */
  readonly events: number;
}

/** The form a file name suggests: binary for .hltb (optionally .gz), else text. */
export function formatForName(file: string): TraceFormat {
  return /\.hltb(\.gz)?$/i.test(file) ? 'binary' : 'text';
}

/** The path a write to `file` replaces: the file a symbolic link points to, else `file`. */
function targetOf(file: string): string {
  try {
    return realpathSync(file);
  } catch {
    return file;
  }
}

/** A new temporary file name beside `target` (same directory, so a rename replaces it atomically). */
export function temporaryPathFor(target: string): string {
  return join(dirname(target), `.${basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
}

/** Whether two paths name one file (same device and inode); false when either does not exist. */
export function sameFile(a: string, b: string): boolean {
  if (!existsSync(a) || !existsSync(b)) return false;
  const x = statSync(a);
  const y = statSync(b);
  return x.dev === y.dev && x.ino === y.ino;
}

type FileData = string | Uint8Array | Iterable<string | Uint8Array> | AsyncIterable<string | Uint8Array>;

/**
 * Writes a file whole or not at all: into a temporary file beside it, flushed, then renamed over
 * it. `data` may be produced piece by piece (an iterable, sync or async): if producing or writing
 * fails, the temporary file is removed, the target keeps its previous content and the error is
 * rethrown.
 */
export async function writeFileAtomic(file: string, data: FileData): Promise<void> {
  const target = targetOf(file);
  const tmp = temporaryPathFor(target);
  const fh = await open(tmp, 'wx');
  try {
    try {
      if (typeof data === 'string' || data instanceof Uint8Array) await fh.writeFile(data);
      else for await (const piece of data) await fh.writeFile(piece);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, target);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
}

/** `writeFileAtomic` for callers that cannot wait: a string, bytes or a sync iterable of them. */
export function writeFileAtomicSync(file: string, data: string | Uint8Array | Iterable<string | Uint8Array>): void {
  const target = targetOf(file);
  const tmp = temporaryPathFor(target);
  const fd = openSync(tmp, 'wx');
  try {
    try {
      const pieces = typeof data === 'string' || data instanceof Uint8Array ? [data] : data;
      for (const piece of pieces) {
        const bytes = typeof piece === 'string' ? Buffer.from(piece, 'utf8') : piece;
        for (let off = 0; off < bytes.length; ) off += writeSync(fd, bytes, off, bytes.length - off);
      }
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, target);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

/** Opens a file for writing a trace (through a temporary file renamed over it by `close`). */
export function createTraceWriter(file: string, options: WriteOptions): TraceWriter {
  const format = options.format ?? formatForName(file);
  if (format !== 'text' && format !== 'binary') throw new TypeError(`format must be 'text' or 'binary', got ${String(format)}`);
  const gzip = options.gzip ?? /\.gz$/i.test(file);
  const header = format === 'text' ? textHeader(options.program) : null;
  const encoder = format === 'binary' ? new BinaryTraceEncoder() : null;
  const target = targetOf(file);
  const tmp = temporaryPathFor(target);
  const fileStream: WriteStream = createWriteStream(tmp, { flags: 'wx' });
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

  // The module map of the chunks (shared by all of one reader); new entries are written before
  // the next chunk's events and at close.
  let modules: readonly TraceModule[] = [];
  let modulesWritten = 0;
  async function putModules(): Promise<void> {
    if (modules.length === modulesWritten) return;
    const fresh = modules.slice(modulesWritten);
    modulesWritten = modules.length;
    await put(encoder ? encoder.modules(fresh) : textModuleLines(fresh));
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
      if (chunk.modules !== undefined) modules = chunk.modules;
      await putModules();
      if (chunk.count === 0) return;
      await put(encoder ? encoder.encode(chunk) : encodeTextChunk(chunk));
      events += chunk.count;
    },
    async close(): Promise<void> {
      try {
        await start();
        await putModules();
        sink.end();
        if (!fileStream.writableFinished && !failure) await once(fileStream, 'finish');
        if (failure) throw failure;
        await rename(tmp, target);
      } catch (e) {
        await this.abort();
        throw e;
      }
    },
    async abort(): Promise<void> {
      if (gz) {
        gz.unpipe(fileStream);
        gz.destroy();
      }
      if (!fileStream.closed) {
        const closed = new Promise<void>((res) => fileStream.once('close', () => res()));
        fileStream.destroy();
        await closed;
      }
      await rm(tmp, { force: true });
    },
  };
}

/** Writes chunks (sync or async iterable) to a file; returns the events written. */
export async function writeTrace(file: string, chunks: Iterable<EventChunk> | AsyncIterable<EventChunk>, options: WriteOptions): Promise<number> {
  const w = createTraceWriter(file, options);
  try {
    for await (const c of chunks) await w.write(c);
  } catch (e) {
    await w.abort();
    throw e;
  }
  await w.close();
  return w.events;
}

/** Converts a trace file to another form (or gzips it); the input form is read from its bytes. Refuses to write over its input. */
export async function convertTrace(
  input: string,
  output: string,
  options: { format?: TraceFormat; gzip?: boolean } & ReadOptions = {},
): Promise<{ events: number; from: TraceFormat; to: TraceFormat; program: string }> {
  if (sameFile(input, output)) {
    throw new HeaplabError(`${output}: this is the input ${input} itself (the same file); write the converted trace to another file`);
  }
  const t = await openTrace(input, options);
  const format = options.format ?? formatForName(output);
  const events = await writeTrace(output, t.chunks(), { format, program: t.program, gzip: options.gzip });
  return { events, from: t.format, to: format, program: t.program };
}
