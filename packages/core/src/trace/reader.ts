/*
 * Reading traces: one entry point for every form. The bytes decide, not the file name:
 *   1f 8b        gzip (node:zlib inflates it as it streams, members concatenated are fine)
 *   'HLTB'       the binary form (binary.ts)
 *   anything else the v1 text form (text.ts)
 * The file streams through in pieces of `readBytes` (1 MiB by default) and comes out as
 * EventChunks of `chunkEvents` events, so memory stays bounded whatever the trace's size.
 * A file that cannot be opened, and gzip data that ends early or is damaged, are HeaplabErrors
 * naming the file and what to do, not the system's bare ENOENT or zlib's "unexpected end of file".
 */

import { createReadStream } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { resolve } from 'node:path';
import { createGunzip, gunzipSync } from 'node:zlib';
import { HeaplabError } from '../errors.js';
import { BINARY_MAGIC, BinaryTraceParser } from './binary.js';
import { DEFAULT_CHUNK_EVENTS, type EventChunk, type TraceModule } from './events.js';
import { TextTraceParser } from './text.js';

/** The trace forms. */
export type TraceFormat = 'text' | 'binary';

/** Options of the readers. */
export interface ReadOptions {
  /** Events per chunk. Default 65,536. */
  chunkEvents?: number;
  /** Bytes read from the file at a time. Default 1 MiB. */
  readBytes?: number;
}

/** A parser that picks the form from the first bytes it sees (after gunzip). */
export class TraceParser {
  private inner: TextTraceParser | BinaryTraceParser | null = null;
  private head: Uint8Array | null = null;
  readonly sites: string[] = [];
  /** The module map, growing as module lines or records are read. */
  readonly modules: TraceModule[] = [];

  constructor(
    readonly file: string,
    readonly chunkEvents = DEFAULT_CHUNK_EVENTS,
  ) {}

  /** The form, once known. */
  get format(): TraceFormat | null {
    return this.inner === null ? null : this.inner instanceof BinaryTraceParser ? 'binary' : 'text';
  }

  /** The program of the header, once parsed. */
  get program(): string | null {
    return this.inner?.program ?? null;
  }

  push(bytes: Uint8Array): EventChunk[] {
    if (this.inner === null) {
      const all = this.head === null ? bytes : concat(this.head, bytes);
      if (all.length < 4) {
        this.head = all.slice();
        return [];
      }
      this.head = null;
      this.pick(all);
      return this.inner!.push(all);
    }
    return this.inner.push(bytes);
  }

  end(): EventChunk[] {
    if (this.inner === null) {
      const all = this.head ?? new Uint8Array(0);
      this.pick(all);
      if (all.length > 0) this.inner!.push(all);
    }
    return this.inner!.end();
  }

  private pick(first: Uint8Array): void {
    const binary = first.length >= 4 && BINARY_MAGIC.every((b, i) => first[i] === b);
    this.inner = binary ? new BinaryTraceParser(this.file, this.chunkEvents, this.sites, this.modules) : new TextTraceParser(this.file, this.chunkEvents, this.sites, this.modules);
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const c = new Uint8Array(a.length + b.length);
  c.set(a, 0);
  c.set(b, a.length);
  return c;
}

/** Opens a trace for reading; a file that is missing or unreadable is an error naming it. */
async function openTraceFile(file: string): Promise<FileHandle> {
  try {
    return await open(file, 'r');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new HeaplabError(`${file}: no such trace file (looked for ${resolve(file)}); check the path, or record one with \`heaplab trace record\` or export a workload with \`heaplab workload export\``);
    if (code === 'EACCES') throw new HeaplabError(`${file}: the trace file cannot be read (permission denied)`);
    throw e;
  }
}

/** A zlib error while inflating `file`, as an error naming the file (other errors unchanged). */
function gzipError(file: string, e: unknown): unknown {
  const code = (e as NodeJS.ErrnoException).code ?? '';
  if (!code.startsWith('Z_')) return e;
  const what = code === 'Z_BUF_ERROR' ? 'ends before its end: the file is truncated' : 'is damaged';
  return new HeaplabError(`${file}: its gzip data ${what} (${(e as Error).message}); copy or record the trace again`);
}

function isGzip(b: Uint8Array): boolean {
  return b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b;
}

/** A whole trace held in memory (text, binary or gzip of either), parsed at once. */
export function parseTrace(bytes: Uint8Array | string, file = '<memory>', options: ReadOptions = {}): { program: string; format: TraceFormat; chunks: EventChunk[]; modules: TraceModule[] } {
  let b = typeof bytes === 'string' ? new TextEncoder().encode(bytes) : bytes;
  if (isGzip(b)) {
    try {
      b = new Uint8Array(gunzipSync(b));
    } catch (e) {
      throw gzipError(file, e);
    }
  }
  const p = new TraceParser(file, options.chunkEvents);
  const chunks = [...p.push(b), ...p.end()];
  return { program: p.program!, format: p.format!, chunks, modules: p.modules };
}

/** A trace file opened for streaming: its header is read; `chunks()` yields its events. */
export interface OpenTrace {
  file: string;
  program: string;
  format: TraceFormat;
  compressed: boolean;
  /** The site table, shared by every chunk (it grows as chunks are read). */
  sites: string[];
  /** The recorded program's module map, shared by every chunk: it grows as chunks are read and is whole once they are all read. */
  modules: TraceModule[];
  /** The events, chunk by chunk. Iterate once. */
  chunks(): AsyncGenerator<EventChunk>;
  /** Closes the file without reading the rest (reading to the end closes it too). */
  close(): void;
  /** Bytes of the file read so far (of the compressed file, for gzip): with `fileSize`, for progress bars. */
  readonly bytesRead: number;
  /** The file's size in bytes. */
  readonly fileSize: number;
}

/** Opens a trace file (any form, gzip or not) and reads up to its header. */
export async function openTrace(file: string, options: ReadOptions = {}): Promise<OpenTrace> {
  const readBytes = options.readBytes ?? 1 << 20;
  if (!Number.isInteger(readBytes) || readBytes < 1) throw new RangeError(`readBytes must be a positive integer, got ${readBytes}`);
  const fh = await openTraceFile(file);
  const magic = new Uint8Array(2);
  let fileSize = 0;
  try {
    const st = await fh.stat();
    fileSize = st.size;
    if (!st.isFile()) throw new HeaplabError(`${file}: expected a trace file, got ${st.isDirectory() ? 'a directory' : 'something that is not a regular file'}`);
    await fh.read(magic, 0, 2, 0);
  } finally {
    await fh.close();
  }
  const compressed = isGzip(magic);
  const gunzip = compressed ? createGunzip({ chunkSize: Math.max(64, Math.min(readBytes, 1 << 20)) }) : null;
  const raw = createReadStream(file, { highWaterMark: readBytes });
  const stream = gunzip ? raw.pipe(gunzip) : raw;
  if (gunzip) raw.on('error', (e) => gunzip.destroy(e));
  const inner = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const it = {
    next: (): Promise<IteratorResult<Buffer>> => inner.next().catch((e: unknown) => Promise.reject(gzipError(file, e))),
  };
  const parser = new TraceParser(file, options.chunkEvents);
  const pending: EventChunk[] = [];
  let done = false;
  try {
    while (parser.program === null) {
      const r = await it.next();
      if (r.done) {
        pending.push(...parser.end());
        done = true;
        break;
      }
      pending.push(...parser.push(new Uint8Array(r.value.buffer, r.value.byteOffset, r.value.length)));
    }
  } catch (e) {
    stream.destroy();
    throw e;
  }
  let started = false;
  async function* chunks(): AsyncGenerator<EventChunk> {
    if (started) throw new Error(`${file}: the trace's chunks can be iterated once; open it again`);
    started = true;
    try {
      yield* pending;
      pending.length = 0;
      if (done) return;
      for (;;) {
        const r = await it.next();
        if (r.done) break;
        yield* parser.push(new Uint8Array(r.value.buffer, r.value.byteOffset, r.value.length));
      }
      yield* parser.end();
    } finally {
      stream.destroy();
    }
  }
  return {
    file,
    program: parser.program!,
    format: parser.format!,
    compressed,
    sites: parser.sites,
    modules: parser.modules,
    chunks,
    close: () => void stream.destroy(),
    get bytesRead() {
      return raw.bytesRead;
    },
    fileSize,
  };
}

/** The events of a trace file, chunk by chunk (opens, streams, closes). */
export async function* readTrace(file: string, options: ReadOptions = {}): AsyncGenerator<EventChunk> {
  const t = await openTrace(file, options);
  yield* t.chunks();
}
