/*
 * The explorer's event store: a trace's events as growable columns (kind, id, size, arg, site),
 * filled chunk by chunk as a reader or a workload yields them, then analysed once into block
 * lifetimes. Runs in the browser and in Node (no DOM, no node: modules).
 *
 * Lifetimes: one per allocation event (malloc, calloc, memalign, a realloc to a non-zero size),
 * numbered in event order; `end` is the event that frees it (a free, or a realloc of its id that
 * moves or frees it), or the event count when it lives to the end. An event's lifetime number is
 * `birthOf[event]` (−1 for frees and failed look-ups), a free's is `deathOf[event]`. This mirrors
 * the replay's rules (step-replay.ts): a free or realloc of an id never allocated is skipped.
 */

import { EV_FREE, EV_REALLOC, type EventChunk } from '@heaplab/core';

export const KIND_NAMES = ['malloc', 'calloc', 'memalign', 'realloc', 'free'] as const;

export class EventStore {
  count = 0;
  kind = new Uint8Array(1024);
  id = new Float64Array(1024);
  size = new Float64Array(1024);
  arg = new Float64Array(1024);
  site = new Int32Array(1024);
  sites: string[] = [];
  program = '';
  /** After analyse(): lifetimes. */
  lifetimes = 0;
  birthOf = new Int32Array(0);
  deathOf = new Int32Array(0);
  start = new Int32Array(0);
  end = new Int32Array(0);
  bytes = new Float64Array(0);
  lifeSite = new Int32Array(0);

  private grow(n: number): void {
    if (n <= this.kind.length) return;
    let cap = this.kind.length;
    while (cap < n) cap *= 2;
    const g = <T extends Uint8Array | Float64Array | Int32Array>(a: T): T => {
      const b = new (a.constructor as new (n: number) => T)(cap);
      b.set(a.subarray(0, this.count));
      return b;
    };
    this.kind = g(this.kind);
    this.id = g(this.id);
    this.size = g(this.size);
    this.arg = g(this.arg);
    this.site = g(this.site);
  }

  /** Appends a chunk's events (its sites table replaces ours: one reader shares and grows it). */
  push(c: EventChunk): void {
    this.grow(this.count + c.count);
    const at = this.count;
    this.kind.set(c.kind.subarray(0, c.count), at);
    this.id.set(c.id.subarray(0, c.count), at);
    this.size.set(c.size.subarray(0, c.count), at);
    this.arg.set(c.arg.subarray(0, c.count), at);
    this.site.set(c.site.subarray(0, c.count), at);
    this.count += c.count;
    this.sites = c.sites;
    this.program = c.program;
  }

  /** The site string of event e, or null. */
  siteOf(e: number): string | null {
    const s = this.site[e]!;
    return s >= 0 ? (this.sites[s] ?? null) : null;
  }

  /** Computes the block lifetimes. */
  analyse(): void {
    const n = this.count;
    const birthOf = new Int32Array(n).fill(-1);
    const deathOf = new Int32Array(n).fill(-1);
    const start: number[] = [];
    const open = new Map<number, number>();
    for (let e = 0; e < n; e++) {
      const k = this.kind[e]!;
      const id = this.id[e]!;
      if (k === EV_FREE) {
        const l = open.get(id);
        if (l !== undefined) {
          deathOf[e] = l;
          open.delete(id);
        }
        continue;
      }
      if (k === EV_REALLOC) {
        const old = this.arg[e]!;
        const l = old === 0 ? undefined : open.get(old);
        if (old !== 0 && l === undefined) continue;
        if (l !== undefined) {
          deathOf[e] = l;
          open.delete(old);
        }
        if (this.size[e] === 0) continue;
      }
      birthOf[e] = start.length;
      if (id !== 0) open.set(id, start.length);
      start.push(e);
    }
    const L = start.length;
    this.lifetimes = L;
    this.birthOf = birthOf;
    this.deathOf = deathOf;
    this.start = Int32Array.from(start);
    this.end = new Int32Array(L).fill(n);
    this.bytes = new Float64Array(L);
    this.lifeSite = new Int32Array(L);
    for (let l = 0; l < L; l++) {
      const e = start[l]!;
      this.bytes[l] = this.size[e]!;
      this.lifeSite[l] = this.site[e]!;
    }
    for (let e = 0; e < n; e++) if (deathOf[e]! >= 0) this.end[deathOf[e]!] = e;
  }
}
