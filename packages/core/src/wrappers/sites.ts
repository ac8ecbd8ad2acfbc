/*
 * Allocation sites: where a block was asked for. A site is a word without spaces, as a
 * heaplab-trace v1 site field (BRIEF §8): a hex return address from a recorded trace, a tag, or
 * `file:line:column` of the JS caller.
 *
 * Two ways in, the first winning:
 *   - given: whoever drives the allocator sets the current site (the replay engine sets each
 *     event's site; a program can wrap a region in `withAllocationSite`);
 *   - stack: the wrapper reads the caller from a JS stack trace, skipping heaplab's own frames
 *     (costs a few microseconds per call: for debugging runs, not benchmarks).
 *
 * State: one current site per thread, null when none is set — kept on globalThis under a
 * registered symbol, so two copies of core loaded side by side share it.
 */

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

/** Frames of heaplab's allocator machinery, skipped when reading the caller from the stack. */
const OWN_FRAME = /[\\/]core[\\/](?:src|dist)[\\/](?:wrappers|allocator|registry)[\\/]|node:internal/;
const FRAME = /\(?((?:file:\/\/)?[^\s()]+:\d+:\d+)\)?\s*$/;
const cwdPrefix = typeof process !== 'undefined' ? process.cwd() + '/' : '';

/** The first frame of the stack outside heaplab's wrappers, as `path:line:col` (relative to the working directory), or null. */
export function callerSite(): string | null {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 16;
  const stack = new Error().stack ?? '';
  Error.stackTraceLimit = limit;
  const lines = stack.split('\n');
  for (let k = 1; k < lines.length; k++) {
    const line = lines[k]!;
    if (OWN_FRAME.test(line) || line.includes('callerSite')) continue;
    const m = FRAME.exec(line);
    if (!m) continue;
    let at = m[1]!.replace(/^file:\/\//, '');
    if (cwdPrefix && at.startsWith(cwdPrefix)) at = at.slice(cwdPrefix.length);
    return at.replace(/\s/g, '_');
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

  /** The site of an index (null for 0). */
  name(i: number): string | null {
    return this.names[i] ?? null;
  }
}
