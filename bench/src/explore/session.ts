/*
 * The explorer's model: one event store, one to four runs (an allocator each, with the wrappers
 * its spec names, over a space of its own), a cursor that any event can be
 * sought to, and what the page shows at the cursor. No DOM: the page (bench/web) drives it, and
 * the tests drive it in Node.
 *
 * A run applies events as `heaplab who` does (step-replay.ts: the event's site is set before each
 * allocation, frees of unknown ids are skipped), so the blocks, and so its ownership answers, are
 * who's. It keeps no tracing wrapper (who puts one on top to remember sites: it made each event
 * several times dearer and each checkpoint a copy of its tables): a block's site comes from the
 * event store's lifetimes, found from the block's trace id. Like the replay engine's footprint
 * runs it writes the first and last byte of each new block and one byte in each page between,
 * so residency reads as a program's would.
 *
 * Live blocks: `graph.live` maps a trace id to its lifetime number; the block's address is
 * `ptrOf[life]` (the first pass records it, and a run replaying from a checkpoint makes the same
 * blocks at the same addresses: the allocators are deterministic) and its size the lifetime's.
 *
 * First pass (`prepare`): every run goes from event 0 to the end, recording per event its live
 * bytes, resident pages and mapped pages, each lifetime's address, and a checkpoint
 * (checkpoint.ts) every `every` events. Then `seek(e)` moves each run: forward by replaying when
 * e is at most `every` events ahead, else from the nearest checkpoint at or before e — so a jump
 * costs one restore and fewer than `every` events, whatever the trace's length.
 *
 * Series state per run (typed arrays of events + 1 entries, index e = after e events):
 *   live[e] requested bytes live; resident[e] and mapped[e] pages (the space's counters, read
 *   from its header: resident counts pages the program wrote and the space marked, so it lags
 *   only for pages nothing but the allocator wrote since the space last sampled them).
 */

import {
  EV_CALLOC, EV_FREE, EV_MALLOC, EV_MEMALIGN, EV_REALLOC, createAddressSpace, setAllocationSite, whoOwns,
  type AddressSpace, type Allocator, type Inspection, type Ownership,
} from '@heaplab/core';
import { restoreCheckpoint, takeCheckpoint, type Checkpoint, type RunGraph } from './checkpoint.js';
import type { EventStore } from './events.js';

/** i32 index of the resident-page counter and f64 index of the mapped-page counter in a space's header (core's layout.ts H.residentPages, COUNTER.mappedPages). */
const RESIDENT_PAGES = 13;
const MAPPED_PAGES = 13;
const TOUCH = 0x5a;

/** How to make one run's allocator over its space (the leaf and any wrappers of its spec). */
export interface RunSpec {
  /** How the page names it (`dlmalloc-style:policy=first-fit`). */
  label: string;
  make(space: AddressSpace): Allocator;
}

/** Options of a session. */
export interface SessionOptions {
  /** Bytes of each run's space. Default 4 GiB. */
  spaceBytes?: number;
  /** Events between checkpoints. Default: the event count / 64, within 1,024 … 16,384. */
  every?: number;
}

/** One allocator's run through the events. */
export class Run {
  readonly space: AddressSpace;
  graph: RunGraph<Map<number, number>>;
  /** Events applied. */
  event = 0;
  failures = 0;
  readonly checkpoints: Checkpoint<Map<number, number>>[] = [];
  live: Float64Array;
  resident: Uint32Array;
  mapped: Uint32Array;
  /** Address of each lifetime's block (0: its request failed). */
  ptrOf: Float64Array;

  constructor(
    readonly spec: RunSpec,
    readonly store: EventStore,
    spaceBytes: number,
  ) {
    this.space = createAddressSpace({ size: spaceBytes });
    this.graph = { space: this.space, top: spec.make(this.space), live: new Map() };
    const n = store.count;
    this.live = new Float64Array(n + 1);
    this.resident = new Uint32Array(n + 1);
    this.mapped = new Uint32Array(n + 1);
    this.ptrOf = new Float64Array(store.lifetimes);
  }

  get top(): Allocator {
    return this.graph.top;
  }

  /** The leaf allocator's registry name. */
  get name(): string {
    let a: Allocator = this.graph.top;
    while ((a as unknown as { inner?: Allocator }).inner) a = (a as unknown as { inner: Allocator }).inner;
    return a.identity.name;
  }

  /** Applies events [this.event, to); `record` stores the series and addresses (first pass only). */
  advance(to: number, record: boolean): void {
    const s = this.store;
    const a = this.graph.top;
    const live = this.graph.live;
    const ptrOf = this.ptrOf;
    const space = this.space;
    const i32 = space.i32;
    const f64 = space.f64;
    const ps = space.pageSize;
    let bytes = this.event === 0 ? 0 : this.live[this.event]!;
    for (let e = this.event; e < to; e++) {
      const kind = s.kind[e]!;
      const id = s.id[e]!;
      const size = s.size[e]!;
      if (kind === EV_FREE) {
        const l = live.get(id);
        if (l !== undefined) {
          a.free(ptrOf[l]!);
          live.delete(id);
          bytes -= s.bytes[l]!;
        }
      } else {
        let p = 0;
        let skip = false;
        setAllocationSite(s.siteOf(e));
        if (kind === EV_MALLOC) p = a.malloc(size);
        else if (kind === EV_CALLOC) p = a.calloc(1, size);
        else if (kind === EV_MEMALIGN) p = a.memalign(s.arg[e]!, size);
        else if (kind === EV_REALLOC) {
          const old = s.arg[e]!;
          const l = old === 0 ? undefined : live.get(old);
          if (old !== 0 && l === undefined) skip = true;
          else {
            p = a.realloc(l !== undefined ? ptrOf[l]! : 0, size);
            if (l !== undefined && (size === 0 || p !== 0)) {
              live.delete(old);
              bytes -= s.bytes[l]!;
            }
            if (size === 0) skip = true;
          }
        } else skip = true;
        if (!skip) {
          const life = s.birthOf[e]!;
          if (record && life >= 0) ptrOf[life] = p;
          if (p === 0) this.failures++;
          else {
            if (id !== 0 && life >= 0) live.set(id, life);
            bytes += size;
            if (size > 0) {
              space.store8(p, TOUCH);
              const last = p + size - 1;
              for (let q = (Math.floor(p / ps) + 1) * ps; q < last; q += ps) space.store8(q, TOUCH);
              if (last !== p) space.store8(last, TOUCH);
            }
          }
        }
      }
      if (record) {
        this.live[e + 1] = bytes;
        this.resident[e + 1] = i32[RESIDENT_PAGES]!;
        this.mapped[e + 1] = f64[MAPPED_PAGES]!;
      }
    }
    setAllocationSite(null);
    this.event = to;
  }

  /** The live block (as the run's outermost allocator hands it out) starting at `base`: its lifetime, or −1. */
  lifeAt(base: number): number {
    for (const l of this.graph.live.values()) if (this.ptrOf[l] === base) return l;
    return -1;
  }

  /** Moves to event e: forward by replay when close, else from the nearest checkpoint. */
  seek(e: number, every: number): void {
    if (e < this.event || e - this.event > every) {
      // The latest checkpoint at or before e (the last one sits at the end, off the interval's grid).
      let k = Math.min(this.checkpoints.length - 1, Math.floor(e / every) + 1);
      while (k > 0 && this.checkpoints[k]!.event > e) k--;
      const c = this.checkpoints[k]!;
      this.graph = restoreCheckpoint(this.space, c);
      this.event = c.event;
    }
    this.advance(e, false);
  }
}

/** M1–M4 of one run over events [0, e] (replay/metrics.ts defines them; here from the per-event series). */
export interface Metrics {
  m1: number;
  m2: number;
  m3: number;
  m4: number;
  peakLive: number;
  peakLiveEvent: number;
  peakResident: number;
  peakResidentEvent: number;
}

/** The explorer's state: events, runs, cursor. */
export class Session {
  readonly runs: Run[];
  readonly every: number;
  cursor = 0;

  constructor(
    readonly store: EventStore,
    specs: readonly RunSpec[],
    options: SessionOptions = {},
  ) {
    if (specs.length < 1 || specs.length > 4) throw new RangeError(`explore: one to four allocators, got ${specs.length}`);
    if (store.lifetimes === 0 && store.count > 0) store.analyse();
    const every = options.every ?? Math.min(16384, Math.max(1024, Math.ceil(store.count / 64)));
    if (!Number.isInteger(every) || every < 1) throw new RangeError(`explore: checkpoint interval must be a positive integer, got ${every}`);
    this.every = every;
    const bytes = options.spaceBytes ?? 2 ** 32;
    this.runs = specs.map((s) => new Run(s, store, bytes));
  }

  get events(): number {
    return this.store.count;
  }

  /** The first pass: every run to the end, series and checkpoints. `onProgress` gets (run, event) between slices. */
  async prepare(onProgress: (run: number, event: number) => void | Promise<void> = () => {}): Promise<void> {
    const n = this.store.count;
    for (const [i, r] of this.runs.entries()) {
      let prev: Checkpoint<Map<number, number>> | null = null;
      // Checkpoints at 0, every, 2·every, … and one at the end (seek picks ⌊e / every⌋, or the last).
      for (;;) {
        const c: Checkpoint<Map<number, number>> = takeCheckpoint(r.graph, r.event, prev);
        r.checkpoints.push(c);
        prev = c;
        if (r.event >= n) break;
        r.advance(Math.min(n, r.event + this.every), true);
        await onProgress(i, r.event);
      }
    }
    this.cursor = n;
  }

  /** Moves every run to event e (0 … events). */
  seek(e: number): void {
    if (!Number.isInteger(e) || e < 0 || e > this.store.count) throw new RangeError(`explore: expected an event 0 … ${this.store.count}, got ${e}`);
    for (const r of this.runs) r.seek(e, this.every);
    this.cursor = e;
  }

  /**
   * Who owns `addr` in run i at the cursor (whoOwns), the block's allocation site and lifetime
   * (from the events: −1 when no live block holds it), and what the allocator says there.
   */
  pointAt(i: number, addr: number): { ownership: Ownership; site: string | null; life: number; inspection: Inspection | undefined } {
    const r = this.runs[i]!;
    const ownership = whoOwns(r.space, addr);
    const life = ownership.block ? r.lifeAt(ownership.block.base) : -1;
    const s = life >= 0 ? this.store.lifeSite[life]! : -1;
    return { ownership, site: s >= 0 ? (this.store.sites[s] ?? null) : null, life, inspection: r.top.inspect?.(addr) };
  }

  /** M1–M4 of run i over events up to e. */
  metrics(i: number, e = this.cursor): Metrics {
    const r = this.runs[i]!;
    const ps = r.space.pageSize;
    let sum = 0;
    let n = 0;
    let peakLive = 0;
    let peakLiveEvent = 0;
    let peakRes = 0;
    let peakResEvent = 0;
    for (let k = 1; k <= e; k++) {
      const live = r.live[k]!;
      const res = r.resident[k]!;
      if (live > 0) {
        sum += res / live;
        n++;
      }
      if (live > peakLive) {
        peakLive = live;
        peakLiveEvent = k;
      }
      if (res > peakRes) {
        peakRes = res;
        peakResEvent = k;
      }
    }
    return {
      m1: n > 0 ? (sum * ps) / n : NaN,
      m2: peakLive > 0 ? (r.resident[peakLiveEvent]! * ps) / peakLive : NaN,
      m3: r.live[peakResEvent]! > 0 ? (peakRes * ps) / r.live[peakResEvent]! : NaN,
      m4: peakLive > 0 ? (peakRes * ps) / peakLive : NaN,
      peakLive,
      peakLiveEvent,
      peakResident: peakRes * ps,
      peakResidentEvent: peakResEvent,
    };
  }

  /** The cursor after the next event of a kind (EV_*) still to apply at cursor `from`, or −1 when none is left. */
  nextOfKind(from: number, kind: number): number {
    const k = this.store.kind;
    for (let e = from; e < this.store.count; e++) if (k[e] === kind) return e + 1;
    return -1;
  }
}
