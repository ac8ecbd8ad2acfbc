/*
 * Replaying a trace event by event, with sites, up to a chosen event: what `heaplab who --at`
 * and the leak report (`heaplab replay --leaks`) need and the timed engine does not give (it
 * keeps no sites and runs to the end). Slow on purpose: one Map entry per live block.
 *
 * State: `live` maps each live trace id to its block (pointer, requested size, site), exactly
 * as the trace's events leave it after event `events − 1`. Before each allocation the event's
 * site becomes the current allocation site, so a tracing or checking wrapper records it and
 * `whoOwns` reports it. Events on ids never allocated are counted, not fatal.
 */

import { EV_CALLOC, EV_FREE, EV_MALLOC, EV_MEMALIGN, EV_REALLOC, leakReport, setAllocationSite, type Allocator, type LeakRow, type TraceSource } from '@heaplab/core';

/** A live block of the replay. */
export interface ReplayBlock {
  ptr: number;
  size: number;
  site: string | null;
}

/** Where a stepped replay stopped. */
export interface SteppedReplay {
  /** Events applied. */
  events: number;
  /** Live blocks by trace id. */
  live: Map<number, ReplayBlock>;
  /** Frees and reallocs of ids never allocated (or failed), skipped. */
  unknownIds: number;
  /** Requests that returned 0. */
  failures: number;
}

/** Applies the events of `source` to `allocator`, stopping before event `stopAt` (default: all). */
export async function replayTo(source: TraceSource, allocator: Allocator, stopAt = Infinity): Promise<SteppedReplay> {
  const live = new Map<number, ReplayBlock>();
  let events = 0;
  let unknownIds = 0;
  let failures = 0;
  const before = setAllocationSite(null);
  try {
    for await (const c of source.open()) {
      for (let j = 0; j < c.count; j++) {
        if (events >= stopAt) return { events, live, unknownIds, failures };
        events++;
        const kind = c.kind[j]!;
        const id = c.id[j]!;
        const size = c.size[j]!;
        const s = c.site[j]!;
        const site = s >= 0 ? c.sites[s]! : null;
        if (kind === EV_FREE) {
          const b = live.get(id);
          if (!b) {
            unknownIds++;
            continue;
          }
          allocator.free(b.ptr);
          live.delete(id);
          continue;
        }
        setAllocationSite(site);
        let p: number;
        if (kind === EV_MALLOC) p = allocator.malloc(size);
        else if (kind === EV_CALLOC) p = allocator.calloc(1, size);
        else if (kind === EV_MEMALIGN) p = allocator.memalign(c.arg[j]!, size);
        else if (kind === EV_REALLOC) {
          const old = c.arg[j]!;
          const b = old === 0 ? null : live.get(old);
          if (old !== 0 && !b) {
            unknownIds++;
            continue;
          }
          p = allocator.realloc(b ? b.ptr : 0, size);
          if (b && (size === 0 || p !== 0)) live.delete(old);
          if (size === 0) continue;
        } else continue;
        if (p === 0) failures++;
        else if (id !== 0) live.set(id, { ptr: p, size, site });
      }
    }
    return { events, live, unknownIds, failures };
  } finally {
    setAllocationSite(before);
  }
}

/** The leak report of a replay: the blocks live at its end (or before event `stopAt`), grouped by the trace's sites, largest first. */
export async function replayLeaks(source: TraceSource, allocator: Allocator, stopAt = Infinity): Promise<LeakRow[]> {
  const r = await replayTo(source, allocator, stopAt);
  return leakReport(r.live.values());
}
