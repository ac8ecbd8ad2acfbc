/*
 * heaplab-trace v1, the text form: a parser that takes bytes in pieces of any size and
 * hands out EventChunks, and an encoder from EventChunks back to text.
 *
 *   # heaplab-trace v1 <program>        first line
 *   # anything                          comments (and blank lines) anywhere after it
 *   a <id> <size> [site]                malloc
 *   c <id> <bytes> [site]               calloc (n × size)
 *   m <id> <size> <align> [site]        aligned allocation
 *   r <newid> <oldid> <size> [site]     realloc (oldid 0: from NULL; newid 0 and size 0: freed)
 *   f <id>                              free
 *   # module <start>-<end> <offset> <path>   a comment that also adds to the module map: an
 *                                       executable mapping of the recorded program (hex start,
 *                                       end and file offset, as /proc/<pid>/maps; the path is the
 *                                       rest of the line). Recorded traces have them; others need not.
 *
 * Fields are separated by tabs or spaces (any run of them); a line may end in CR LF. Ids are hex
 * (lower case written, either case and a `0x` prefix read), 0 for a failed request; sizes and
 * alignments decimal. A site is any token without spaces. Every value is below 2^53.
 *
 * The parser works on bytes, never on a string per line: it scans for '\n' with indexOf and reads
 * digits in place. A line split across two pieces is carried over (the carry holds at most one
 * line). Any departure from the grammar is a TraceFormatError naming file, line and expectation.
 */

import { Buffer } from 'node:buffer';
import { DEFAULT_CHUNK_EVENTS, EV_CALLOC, EV_FREE, EV_MALLOC, EV_MEMALIGN, EV_REALLOC, EVENT_LETTERS, createEventChunk, pushEvent, type EventChunk, type TraceModule } from './events.js';
import { TraceFormatError, quoteToken } from './errors.js';

const MAX = Number.MAX_SAFE_INTEGER;
const HEADER = /^#[ \t]+heaplab-trace[ \t]+v1[ \t]+(\S(?:.*\S)?)[ \t]*$/;
const MODULE = /^#[ \t]+module[ \t]+([0-9a-fA-F]{1,14})-([0-9a-fA-F]{1,14})[ \t]+([0-9a-fA-F]{1,14})[ \t]+(\S(?:.*\S)?)[ \t]*$/;
const SPACE = 32;
const TAB = 9;
const CR = 13;
const LF = 10;
const HASH = 35;

function isBlank(b: number): boolean {
  return b === SPACE || b === TAB;
}

function hexDigit(b: number): number {
  if (b >= 48 && b <= 57) return b - 48;
  if (b >= 97 && b <= 102) return b - 87;
  if (b >= 65 && b <= 70) return b - 55;
  return -1;
}

/** Streaming parser of the text form. Feed it with `push`, finish with `end`. */
export class TextTraceParser {
  program: string | null = null;
  readonly sites: string[];
  readonly modules: TraceModule[];
  private readonly siteIndex = new Map<string, number>();
  private carry: Uint8Array | null = null;
  private lineNo = 0;
  private events = 0;
  private chunk: EventChunk | null = null;
  private buf: Uint8Array = new Uint8Array(0);
  /** Token bounds set by `nextField`. */
  private fs = 0;
  private fe = 0;
  private p = 0;

  constructor(
    readonly file: string,
    readonly chunkEvents = DEFAULT_CHUNK_EVENTS,
    sites: string[] = [],
    modules: TraceModule[] = [],
  ) {
    if (!Number.isInteger(chunkEvents) || chunkEvents < 1) throw new RangeError(`chunkEvents must be a positive integer, got ${chunkEvents}`);
    this.sites = sites;
    this.modules = modules;
  }

  /** Parses the bytes; returns the chunks that filled up. */
  push(bytes: Uint8Array): EventChunk[] {
    const out: EventChunk[] = [];
    let buf = bytes;
    if (this.carry !== null) {
      buf = new Uint8Array(this.carry.length + bytes.length);
      buf.set(this.carry, 0);
      buf.set(bytes, this.carry.length);
      this.carry = null;
    }
    let pos = 0;
    for (;;) {
      const nl = buf.indexOf(LF, pos);
      if (nl < 0) break;
      this.line(buf, pos, nl, out);
      pos = nl + 1;
    }
    if (pos < buf.length) this.carry = buf.slice(pos);
    return out;
  }

  /** Parses what is left (a last line without newline); returns the last chunk. Errors on an empty file. */
  end(): EventChunk[] {
    const out: EventChunk[] = [];
    if (this.carry !== null) {
      const c = this.carry;
      this.carry = null;
      this.line(c, 0, c.length, out);
    }
    if (this.program === null) throw new TraceFormatError(this.file, { line: this.lineNo + 1 }, 'the header "# heaplab-trace v1 <program>"', 'end of file');
    if (this.chunk !== null && this.chunk.count > 0) out.push(this.chunk);
    this.chunk = null;
    return out;
  }

  /** Events parsed so far. */
  get eventCount(): number {
    return this.events;
  }

  private fail(expected: string, got?: string): never {
    const shown = got ?? (this.fs < this.fe ? quoteToken(this.text(this.fs, this.fe)) : 'end of line');
    throw new TraceFormatError(this.file, { line: this.lineNo }, expected, shown);
  }

  private text(s: number, e: number): string {
    const b = this.buf;
    return Buffer.from(b.buffer, b.byteOffset + s, e - s).toString('utf8');
  }

  /** Moves to the next field: needs a separator first (unless at the line's start), then sets fs/fe. */
  private nextField(e: number): void {
    const b = this.buf;
    let p = this.p;
    while (p < e && isBlank(b[p]!)) p++;
    this.fs = p;
    while (p < e && !isBlank(b[p]!)) p++;
    this.fe = p;
    this.p = p;
  }

  private hexField(e: number, what: string): number {
    this.nextField(e);
    const b = this.buf;
    let s = this.fs;
    const end = this.fe;
    if (end - s > 2 && b[s] === 48 && (b[s + 1] === 120 || b[s + 1] === 88)) s += 2;
    if (s === end) this.fail(`${what} (hex)`);
    let v = 0;
    for (let q = s; q < end; q++) {
      const d = hexDigit(b[q]!);
      if (d < 0) this.fail(`${what} (hex)`);
      v = v * 16 + d;
    }
    if (v > MAX) this.fail(`${what} below 2^53`);
    return v;
  }

  private decField(e: number, what: string): number {
    this.nextField(e);
    const b = this.buf;
    if (this.fs === this.fe) this.fail(`${what} (decimal)`);
    let v = 0;
    for (let q = this.fs; q < this.fe; q++) {
      const d = b[q]! - 48;
      if (d < 0 || d > 9) this.fail(`${what} (decimal)`);
      v = v * 10 + d;
    }
    if (v > MAX) this.fail(`${what} below 2^53`);
    return v;
  }

  /** The optional site, then the end of the line. Returns the site index or −1. */
  private siteAndEnd(e: number): number {
    this.nextField(e);
    if (this.fs === this.fe) return -1;
    const name = this.text(this.fs, this.fe);
    this.nextField(e);
    if (this.fs !== this.fe) this.fail('end of line after the site');
    let i = this.siteIndex.get(name);
    if (i === undefined) {
      i = this.sites.push(name) - 1;
      this.siteIndex.set(name, i);
    }
    return i;
  }

  /** A `# module` comment: added to the module map when well-formed, otherwise left a comment. */
  private moduleLine(s: number, e: number): void {
    const m = MODULE.exec(this.text(s, e));
    if (!m) return;
    const start = parseInt(m[1]!, 16);
    const end = parseInt(m[2]!, 16);
    const offset = parseInt(m[3]!, 16);
    if (end <= start || end > MAX || offset > MAX) return;
    this.modules.push({ start, end, offset, path: m[4]! });
  }

  private line(buf: Uint8Array, s: number, e: number, out: EventChunk[]): void {
    this.lineNo++;
    if (e > s && buf[e - 1] === CR) e--;
    this.buf = buf;
    if (this.program === null) {
      const text = this.text(s, e);
      const m = HEADER.exec(text);
      if (!m) {
        const v = /^#[ \t]+heaplab-trace[ \t]+(\S+)/.exec(text);
        if (v && v[1] !== 'v1') throw new TraceFormatError(this.file, { line: this.lineNo }, 'version v1 in the header', quoteToken(v[1]!));
        throw new TraceFormatError(this.file, { line: this.lineNo }, 'the header "# heaplab-trace v1 <program>"', quoteToken(text));
      }
      this.program = m[1]!;
      return;
    }
    let p = s;
    while (p < e && isBlank(buf[p]!)) p++;
    if (p === e) return;
    if (buf[p] === HASH) {
      // a comment; `# module` lines also add to the module map
      if (e - p > 9) this.moduleLine(p, e);
      return;
    }
    this.p = p;
    this.nextField(e);
    const kind = this.fe - this.fs === 1 ? EVENT_LETTERS.indexOf(String.fromCharCode(buf[this.fs]!)) : -1;
    if (kind < 0) this.fail('an event (a, c, m, r or f)');
    let id = 0;
    let arg = 0;
    let size = 0;
    let site = -1;
    switch (kind) {
      case EV_MALLOC:
        id = this.hexField(e, 'the id');
        size = this.decField(e, 'the size');
        site = this.siteAndEnd(e);
        break;
      case EV_CALLOC:
        id = this.hexField(e, 'the id');
        size = this.decField(e, 'the bytes');
        site = this.siteAndEnd(e);
        break;
      case EV_MEMALIGN:
        id = this.hexField(e, 'the id');
        size = this.decField(e, 'the size');
        arg = this.decField(e, 'the alignment');
        if (arg === 0 || 2 ** Math.round(Math.log2(arg)) !== arg) this.fail('a power-of-two alignment');
        site = this.siteAndEnd(e);
        break;
      case EV_REALLOC:
        id = this.hexField(e, 'the new id');
        arg = this.hexField(e, 'the old id');
        size = this.decField(e, 'the size');
        site = this.siteAndEnd(e);
        break;
      case EV_FREE:
        id = this.hexField(e, 'the id');
        if (id === 0) this.fail('a non-zero id (free(NULL) is not written)');
        this.nextField(e);
        if (this.fs !== this.fe) this.fail('end of line after the id (f has no site)');
        break;
    }
    let c = this.chunk;
    if (c === null) c = this.chunk = createEventChunk(this.chunkEvents, this.events, this.sites, this.program, 'line', this.modules);
    pushEvent(c, kind, id, arg, size, site, this.lineNo);
    this.events++;
    if (c.count === this.chunkEvents) {
      out.push(c);
      this.chunk = null;
    }
  }
}

/** Text of one chunk's events, each line ending in '\n'. */
export function encodeTextChunk(c: EventChunk): string {
  const lines: string[] = new Array(c.count);
  for (let j = 0; j < c.count; j++) {
    const k = c.kind[j]!;
    const id = c.id[j]!.toString(16);
    let line: string;
    switch (k) {
      case EV_MEMALIGN:
        line = `m ${id} ${c.size[j]!} ${c.arg[j]!}`;
        break;
      case EV_REALLOC:
        line = `r ${id} ${c.arg[j]!.toString(16)} ${c.size[j]!}`;
        break;
      case EV_FREE:
        line = `f ${id}`;
        break;
      default:
        line = `${EVENT_LETTERS[k]} ${id} ${c.size[j]!}`;
    }
    const s = c.site[j]!;
    lines[j] = s >= 0 && k !== EV_FREE ? `${line} ${c.sites[s]!}\n` : `${line}\n`;
  }
  return lines.join('');
}

/** The `# module` lines of modules, each ending in '\n'. */
export function textModuleLines(modules: readonly TraceModule[]): string {
  let out = '';
  for (const m of modules) {
    if (/[\r\n]/.test(m.path) || !/\S/.test(m.path)) throw new TypeError(`a module's path must be non-empty and on one line, got ${JSON.stringify(m.path)}`);
    out += `# module ${m.start.toString(16)}-${m.end.toString(16)} ${m.offset.toString(16)} ${m.path.trim()}\n`;
  }
  return out;
}

/** The header line of a text trace. */
export function textHeader(program: string): string {
  if (!/\S/.test(program) || /[\r\n]/.test(program)) throw new TypeError(`a trace's program name must be non-empty and on one line, got ${JSON.stringify(program)}`);
  return `# heaplab-trace v1 ${program.trim()}\n`;
}
