/*
 * Allocation sites: where a block was asked for. A site is a word without spaces, as a
 * heaplab-trace v1 site field: a hex return address from a recorded trace, a tag, or
 * `file:line:column` of the JS caller.
 *
 * Two ways in, the first winning:
 *   - given: whoever drives the allocator sets the current site (the replay engine sets each
 *     event's site; a program can wrap a region in `withAllocationSite`);
 *   - stack: the wrapper reads the caller from V8's structured call sites, skipping heaplab's
 *     own frames, translated through the source map when there is one (each position is
 *     formatted once; the capture itself costs about a microsecond: for debugging runs).
 *
 * State: one current site per thread, null when none is set — kept on globalThis under a
 * registered symbol, so two copies of core loaded side by side share it.
 */

import { findSourceMap } from 'node:module';

/** How a wrapper finds the site of a call: `given` only, or the JS caller when none is given. */
export type SiteMode = 'given' | 'stack';

const SITE = Symbol.for('@heaplab/core:allocationSite');
const state: { current: string | null } = ((globalThis as Record<symbol, { current: string | null } | undefined>)[SITE] ??= { current: null });

/** Sets the site of the allocations that follow (null: none). Returns the previous one. */
export function setAllocationSite(site: string | null): string | null {
  if (site !== null && (typeof site !== 'string' || site === '' || /\s/.test(site))) {
    throw new TypeError(`an allocation site must be a non-empty word without spaces, got ${JSON.stringify(site)}`);
  }
  const before = state.current;
  state.current = site;
  return before;
}

/** The current site, or null. */
export function currentAllocationSite(): string | null {
  return state.current;
}

/** Runs `f` with `site` as the current site, then restores the previous one. */
export function withAllocationSite<T>(site: string, f: () => T): T {
  const before = setAllocationSite(site);
  try {
    return f();
  } finally {
    state.current = before;
  }
}

/** Files of heaplab's allocator machinery, skipped when reading the caller from the stack. */
const OWN_FILE = /[\\/]core[\\/](?:src|dist)[\\/](?:wrappers|allocator|registry)[\\/]/;
const cwdPrefix = typeof process !== 'undefined' ? process.cwd() + '/' : '';
/** Site text by raw position: a position is translated (source map) and formatted once. */
const siteCache = new Map<string, string>();

interface CallSite {
  getFileName(): string | null | undefined;
  getLineNumber(): number | null;
  getColumnNumber(): number | null;
}

function format(file: string, line: number, column: number): string {
  let f = file.replace(/^file:\/\//, '');
  let l = line;
  let c = column;
  const map = findSourceMap?.(f) ?? findSourceMap?.(file);
  const entry = map?.findEntry(line - 1, column - 1) as { originalSource?: string; originalLine?: number; originalColumn?: number } | undefined;
  if (entry && entry.originalSource !== undefined && entry.originalLine !== undefined) {
    f = entry.originalSource.replace(/^file:\/\//, '');
    l = entry.originalLine + 1;
    c = (entry.originalColumn ?? 0) + 1;
  }
  if (cwdPrefix && f.startsWith(cwdPrefix)) f = f.slice(cwdPrefix.length);
  return `${f}:${l}:${c}`.replace(/\s/g, '_');
}

/**
 * The first frame of the stack outside heaplab's wrappers, as `path:line:col` (relative to the
 * working directory, through the source map when there is one), or null. Reads V8's structured
 * call sites (no stack text is formatted) and formats each position once.
 */
export function callerSite(): string | null {
  const prepare = Error.prepareStackTrace;
  const limit = Error.stackTraceLimit;
  Error.prepareStackTrace = (_e, frames) => frames;
  Error.stackTraceLimit = 16;
  const holder: { stack?: CallSite[] } = {};
  Error.captureStackTrace(holder, callerSite);
  const frames = holder.stack;
  Error.prepareStackTrace = prepare;
  Error.stackTraceLimit = limit;
  if (!Array.isArray(frames)) return null;
  for (const fr of frames) {
    const file = fr.getFileName();
    if (!file || file.startsWith('node:') || OWN_FILE.test(file)) continue;
    const line = fr.getLineNumber() ?? 0;
    const column = fr.getColumnNumber() ?? 0;
    const key = `${file}:${line}:${column}`;
    let site = siteCache.get(key);
    if (site === undefined) {
      site = format(file, line, column);
      siteCache.set(key, site);
    }
    return site;
  }
  return null;
}

/** The site of the current call under a mode: the given site, else the caller's with `stack`. */
export function siteFor(mode: SiteMode): string | null {
  const given = state.current;
  if (given !== null) return given;
  return mode === 'stack' ? callerSite() : null;
}

/** Interns site strings as small integers, so per-block records hold a number. Index 0 is "no site". */
export class SiteTable {
  private readonly names: (string | null)[] = [null];
  private readonly index = new Map<string, number>();

  /** The index of a site (0 for null). */
  intern(site: string | null): number {
    if (site === null) return 0;
    let i = this.index.get(site);
    if (i === undefined) {
      i = this.names.length;
      this.names.push(site);
      this.index.set(site, i);
    }
    return i;
  }

  /** Bytes the table takes on the JavaScript heap, estimated: 8 per name slot, 40 per map entry, 2 per character. */
  externalBytes(): number {
    let chars = 0;
    for (const n of this.names) if (n !== null) chars += n.length;
    return 8 * this.names.length + 40 * this.index.size + 2 * chars;
  }

    /** The site of an index (null for 0). */
  name(i: number): string | null {
    return this.names[i] ?? null;
  }
}
