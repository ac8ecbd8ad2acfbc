/*
 * tracing: every call to a heaplab-trace v1 stream, with a site.
 *
 * Events are recorded as the trace codec's EventChunks (columns of typed arrays: no JS object
 * per call), a new chunk when one fills. Ids are the pointers handed out (v1 ids are addresses
 * in hex). What is written, per call that returned (a call that threw wrote nothing):
 *   malloc → `a <ptr> <size> [site]`, calloc → `c <ptr> <n×size> [site]`,
 *   memalign → `m <ptr> <size> <alignment> [site]`, realloc → `r <new> <old> <size> [site]`
 *   (realloc(p, 0) is `r 0 <p> 0`), free → `f <ptr>`; a failed request has id 0; free(NULL) is
 *   not written.
 * With `onChunk` each full chunk is handed over and dropped (streaming to a TraceWriter);
 * otherwise chunks are kept and `text()` gives the whole stream.
 *
 * The wrapper also keeps the live blocks (pointer → requested size and site), which serves
 * `whoOwns` and the leak report. Invariant: `live` holds exactly the blocks handed out through
 * this wrapper and not yet freed.
 */

import type { Allocator } from '../api.js';
import { EV_CALLOC, EV_FREE, EV_MALLOC, EV_MEMALIGN, EV_REALLOC, createEventChunk, pushEvent, type EventChunk } from '../trace/events.js';
import { encodeTextChunk, textHeader } from '../trace/text.js';
import { WrapperBase, type SiteRecorder } from './base.js';
import { siteFor, type SiteMode } from './sites.js';

/** Options of the tracing wrapper. */
export interface TracingOptions {
  /** Program named in the trace header. Default `heaplab`. */
  program: string;
  /** How allocation sites are found: `given` (set by the driver) or `stack` (the JS caller when none is given). Default `given`. */
  sites: SiteMode;
  /** Events per chunk. Default 65,536. */
  chunkEvents: number;
  /** Called with each full chunk (and the last one on `flush()`); chunks handed over are not kept. Default none: keep every chunk. */
  onChunk?: (chunk: EventChunk) => void;
}

export const TRACING_DEFAULTS: Readonly<Omit<TracingOptions, 'onChunk'>> = Object.freeze({ program: 'heaplab', sites: 'given', chunkEvents: 65536 });

export class TracingAllocator extends WrapperBase implements SiteRecorder {
  readonly options: Readonly<TracingOptions>;
  private readonly siteNames: string[] = [];
  private readonly siteIndex = new Map<string, number>();
  private readonly kept: EventChunk[] = [];
  private chunk: EventChunk;
  private events = 0;
  private readonly liveSize = new Map<number, number>();
  private readonly liveSite = new Map<number, number>();

  constructor(inner: Allocator, options: Partial<TracingOptions> = {}) {
    const o = { ...TRACING_DEFAULTS, ...options };
    textHeader(o.program); // validates the program name
    if (o.sites !== 'given' && o.sites !== 'stack') throw new TypeError(`tracing: option sites must be 'given' or 'stack', got ${String(o.sites)}`);
    if (!Number.isInteger(o.chunkEvents) || o.chunkEvents < 1) throw new TypeError(`tracing: option chunkEvents must be a positive integer, got ${String(o.chunkEvents)}`);
    if (o.onChunk !== undefined && typeof o.onChunk !== 'function') throw new TypeError('tracing: option onChunk must be a function');
    super(inner, { name: 'tracing', description: 'every call to a heaplab-trace v1 stream, with its site', parameters: { program: o.program, sites: o.sites, chunkEvents: o.chunkEvents } });
    this.options = Object.freeze(o);
    this.chunk = createEventChunk(o.chunkEvents, 0, this.siteNames, o.program);
  }

  private site(): number {
    const s = siteFor(this.options.sites);
    if (s === null) return -1;
    let i = this.siteIndex.get(s);
    if (i === undefined) {
      i = this.siteNames.length;
      this.siteNames.push(s);
      this.siteIndex.set(s, i);
    }
    return i;
  }

  private record(kind: number, id: number, arg: number, size: number, site: number): void {
    if (this.chunk.count === this.chunk.kind.length) this.handOver(true);
    pushEvent(this.chunk, kind, id, arg, size, site, this.events + 2); // line: after the header
    this.events++;
  }

  private handOver(full: boolean): void {
    const c = this.chunk;
    if (this.options.onChunk) this.options.onChunk(c);
    else this.kept.push(c);
    if (full || this.options.onChunk) this.chunk = createEventChunk(this.options.chunkEvents, this.events, this.siteNames, this.options.program);
  }

  private born(ptr: number, size: number, site: number): void {
    if (ptr === 0) return;
    this.liveSize.set(ptr, size);
    if (site >= 0) this.liveSite.set(ptr, site);
    else this.liveSite.delete(ptr);
  }

  private died(ptr: number): void {
    this.liveSize.delete(ptr);
    this.liveSite.delete(ptr);
  }

  override malloc(size: number): number {
    const site = this.site();
    const p = this.inner.malloc(size);
    this.record(EV_MALLOC, p, 0, size, site);
    this.born(p, size, site);
    return p;
  }

  override calloc(n: number, size: number): number {
    const site = this.site();
    const p = this.inner.calloc(n, size);
    const bytes = n * size;
    this.record(EV_CALLOC, p, 0, Number.isSafeInteger(bytes) ? bytes : Number.MAX_SAFE_INTEGER, site);
    this.born(p, bytes, site);
    return p;
  }

  override memalign(alignment: number, size: number): number {
    const site = this.site();
    const p = this.inner.memalign(alignment, size);
    this.record(EV_MEMALIGN, p, alignment, size, site);
    this.born(p, size, site);
    return p;
  }

  override realloc(ptr: number, size: number): number {
    const site = this.site();
    const p = this.inner.realloc(ptr, size);
    this.record(EV_REALLOC, p, ptr, size, size === 0 ? -1 : site);
    if (size === 0 || p !== 0) this.died(ptr);
    this.born(p, size, site);
    return p;
  }

  override free(ptr: number, size?: number): void {
    this.inner.free(ptr, size);
    if (ptr === 0) return;
    this.record(EV_FREE, ptr, 0, 0, -1);
    this.died(ptr);
  }

  /** Events recorded so far. */
  get eventCount(): number {
    return this.events;
  }

  /** Hands the partial chunk to `onChunk` (streaming) or keeps it; later events go to a new chunk. */
  flush(): void {
    if (this.chunk.count > 0) this.handOver(true);
  }

  /** The chunks recorded and not handed to `onChunk`, the partial one last. */
  chunks(): EventChunk[] {
    return this.chunk.count > 0 ? [...this.kept, this.chunk] : [...this.kept];
  }

  /** The trace so far as v1 text (header included). Only what was not handed to `onChunk`. */
  text(): string {
    return textHeader(this.options.program) + this.chunks().map(encodeTextChunk).join('');
  }

  siteOf(ptr: number): string | null {
    const i = this.liveSite.get(ptr);
    return i === undefined ? null : this.siteNames[i]!;
  }

  *liveBlocks(): Iterable<{ ptr: number; size: number; site: string | null }> {
    for (const [ptr, size] of this.liveSize) yield { ptr, size, site: this.siteOf(ptr) };
  }
}

/** Wraps an allocator so every call is written to a heaplab-trace v1 stream. */
export function createTracingAllocator(inner: Allocator, options: Partial<TracingOptions> = {}): TracingAllocator {
  return new TracingAllocator(inner, options);
}
