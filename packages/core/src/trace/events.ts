/*
 * Trace events as the codec hands them out: columns of typed arrays, one chunk at a time, so a
 * reader never makes a JS object per event and a trace larger than memory streams through.
 *
 * Layout of an EventChunk (event j of the chunk is trace event firstEvent + j):
 *   kind[j]  EV_MALLOC `a` | EV_CALLOC `c` | EV_MEMALIGN `m` | EV_REALLOC `r` | EV_FREE `f`
 *   id[j]    a/c/m: the block's id; r: the new id; f: the freed id (0: a failed request)
 *   arg[j]   m: the alignment; r: the old id (0: from NULL); otherwise 0
 *   size[j]  a/m/r: the size; c: the bytes (n × size); f: 0
 *   site[j]  index into `sites` (the reader's table, shared by every chunk), or −1 for none
 *   line[j]  where the event is: the line of a text trace (1-based) or the byte offset of a
 *            binary record, as `positions` says
 *   modules  the recorded program's module map (executable mappings), shared by every chunk of
 *            one reader and growing as module lines or records are read: complete once the last
 *            chunk is out. Sites that are return addresses resolve through it (modules.ts).
 *
 * Invariants: 0 ≤ count ≤ capacity; ids and sizes are integers in [0, 2^53); alignments are
 * powers of two; `f` never has a site and never id 0 (free(NULL) is not written).
 */

/** Event kinds, as stored in `EventChunk.kind`. */
export const EV_MALLOC = 0;
export const EV_CALLOC = 1;
export const EV_MEMALIGN = 2;
export const EV_REALLOC = 3;
export const EV_FREE = 4;

/** The v1 letter of each kind, by kind. */
export const EVENT_LETTERS = 'acmrf';

/** Events per chunk unless a reader is told otherwise. */
export const DEFAULT_CHUNK_EVENTS = 65536;

/**
 * One executable mapping of the recorded program (a `# module` line of the text form, a module
 * record of the binary form): addresses in [start, end) are code of the file `path`, whose byte
 * `offset` is mapped at `start` (as /proc/<pid>/maps says).
 */
export interface TraceModule {
  start: number;
  end: number;
  offset: number;
  path: string;
}

/** A run of consecutive trace events, as columns. */
export interface EventChunk {
  /** Events held (the arrays may be longer). */
  count: number;
  /** Index in the trace of this chunk's first event. */
  firstEvent: number;
  kind: Uint8Array;
  id: Float64Array;
  arg: Float64Array;
  size: Float64Array;
  site: Int32Array;
  line: Float64Array;
  /** The site table: `site[j]` indexes it. Shared by every chunk of one reader, and grows. */
  sites: string[];
  /** The program named in the trace header. */
  program: string;
  /** What `line` holds: text lines or binary byte offsets. */
  positions: 'line' | 'byte';
  /** The module map read so far, shared by every chunk of one reader (absent: none, as for chunks made by hand). */
  modules?: TraceModule[];
}

/** An empty chunk able to hold `capacity` events. */
export function createEventChunk(capacity: number, firstEvent: number, sites: string[], program: string, positions: 'line' | 'byte' = 'line', modules: TraceModule[] = []): EventChunk {
  return {
    count: 0,
    firstEvent,
    kind: new Uint8Array(capacity),
    id: new Float64Array(capacity),
    arg: new Float64Array(capacity),
    size: new Float64Array(capacity),
    site: new Int32Array(capacity),
    line: new Float64Array(capacity),
    sites,
    program,
    positions,
    modules,
  };
}

/** Appends one event (the caller checks there is room). */
export function pushEvent(c: EventChunk, kind: number, id: number, arg: number, size: number, site: number, line: number): void {
  const j = c.count++;
  c.kind[j] = kind;
  c.id[j] = id;
  c.arg[j] = arg;
  c.size[j] = size;
  c.site[j] = site;
  c.line[j] = line;
}

/** One event as a plain object, for tests and messages (never on a hot path). */
export interface TraceEvent {
  kind: 'a' | 'c' | 'm' | 'r' | 'f';
  id: number;
  /** m: alignment; r: old id. */
  arg: number;
  size: number;
  site: string | null;
}

/** The events of chunks as objects (tests, small traces). */
export function eventsOf(chunks: Iterable<EventChunk>): TraceEvent[] {
  const out: TraceEvent[] = [];
  for (const c of chunks) {
    for (let j = 0; j < c.count; j++) {
      const s = c.site[j]!;
      out.push({ kind: EVENT_LETTERS[c.kind[j]!] as TraceEvent['kind'], id: c.id[j]!, arg: c.arg[j]!, size: c.size[j]!, site: s < 0 ? null : c.sites[s]! });
    }
  }
  return out;
}

/** Chunks holding the given events (tests, workloads that build small traces by hand). */
export function chunksOf(events: readonly TraceEvent[], program = 'memory', chunkEvents = DEFAULT_CHUNK_EVENTS): EventChunk[] {
  const sites: string[] = [];
  const siteIndex = new Map<string, number>();
  const chunks: EventChunk[] = [];
  let c = createEventChunk(Math.min(chunkEvents, Math.max(1, events.length)), 0, sites, program);
  for (let i = 0; i < events.length; i++) {
    if (c.count === c.kind.length) {
      chunks.push(c);
      c = createEventChunk(Math.min(chunkEvents, events.length - i), i, sites, program);
    }
    const e = events[i]!;
    const kind = EVENT_LETTERS.indexOf(e.kind);
    if (kind < 0) throw new TypeError(`event ${i}: unknown kind ${String(e.kind)}`);
    let site = -1;
    if (e.site !== null && e.site !== undefined) {
      if (typeof e.site !== 'string' || !/^\S+$/.test(e.site)) throw new TypeError(`event ${i}: a site must be a non-empty token without spaces, got ${JSON.stringify(e.site)}`);
      site = siteIndex.get(e.site) ?? -1;
      if (site < 0) {
        site = sites.push(e.site) - 1;
        siteIndex.set(e.site, site);
      }
    }
    pushEvent(c, kind, e.id, e.arg ?? 0, e.size ?? 0, site, i + 2);
  }
  if (c.count > 0 || chunks.length === 0) chunks.push(c);
  return chunks;
}
