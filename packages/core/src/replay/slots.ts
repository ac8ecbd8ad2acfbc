/*
 * From trace ids to dense slots: the step between decoding and the timed loop. Every live id
 * gets a small integer, its slot; the engine keeps the block of slot s at table[s] in a
 * Float64Array, so the timed loop never hashes an id and never makes a JS object per event.
 *
 * OpChunk layout (op j is trace event firstEvent + j; one op per event, so the event index is
 * the time axis the metrics use):
 *   op[j]    OP_MALLOC | OP_CALLOC | OP_MEMALIGN | OP_REALLOC | OP_FREE, or OP_NOP for an event
 *            not replayed (see below)
 *   slot[j]  the block's slot (a realloc keeps the old block's slot for the new block)
 *   size[j]  bytes asked for (calloc: n × size)
 *   arg[j]   memalign: the alignment
 *   opCounts[o]  how many ops of kind o the chunk holds (opCounts[OP_NOP]: events not replayed), so
 *            the timed loop keeps no per-event call counters
 *
 * Events not replayed (OP_NOP), each counted in TraceAnomalies:
 *   - a request recorded as failed (id 0, or `r 0 old size` with size > 0): the program got
 *     NULL, so it never used or freed a block; replaying it would leak.
 *   - a free (or realloc to 0) of an id never allocated: made before the recorder loaded.
 * A realloc of an unknown old id is replayed as a malloc of the new one (counted as unknown).
 * An allocation of an id that is still live (its free was not recorded) gets a fresh slot; the
 * old block stays allocated and unreachable (counted as reusedLiveIds).
 *
 * Invariants: a slot is in exactly one of {live (in `ids`), free stack}; slotCount is the most
 * slots ever live at once, so table sizes are bounded by the trace's peak live blocks.
 */

import { EV_CALLOC, EV_FREE, EV_MALLOC, EV_MEMALIGN, EV_REALLOC, type EventChunk } from '../trace/events.js';
import { IdTable } from './id-table.js';

export const OP_NOP = 0;
export const OP_MALLOC = 1;
export const OP_CALLOC = 2;
export const OP_MEMALIGN = 3;
export const OP_REALLOC = 4;
export const OP_FREE = 5;

/** Replay operations of a run of events, as columns. */
export interface OpChunk {
  count: number;
  firstEvent: number;
  op: Uint8Array;
  slot: Uint32Array;
  size: Float64Array;
  arg: Float64Array;
  /** The line (text) or byte offset (binary) of each event, for messages. */
  line: Float64Array;
  /**
   * Ops of each kind in the chunk, indexed by OP_* (length 6). SlotMapper always fills it; the
   * engine counts a chunk that lacks it (an OpChunk made by hand) before running it.
   */
  opCounts?: Uint32Array;
}

/** How many ops of each kind (OP_NOP … OP_FREE) `op[0 … count)` holds. */
export function countOps(op: Uint8Array, count: number): Uint32Array {
  const n = new Uint32Array(6);
  for (let j = 0; j < count; j++) n[op[j]!]!++;
  return n;
}

/** What in a trace could not be replayed as written. */
export interface TraceAnomalies {
  /** Requests recorded as failed (id 0): not replayed. */
  failedRequests: number;
  /** Frees and reallocs of ids never allocated (made before the recorder loaded). */
  unknownIds: number;
  /** Allocations of an id still live: the old block is kept, unreachable. */
  reusedLiveIds: number;
  /** Where the first unknown ids are, e.g. `event 17 (line 19): f 7f3a00`. At most 5. */
  firstUnknown: string[];
}

const KEEP_UNKNOWN = 5;

/** Renumbers ids into dense slots, chunk by chunk; keeps its state across chunks. */
export class SlotMapper {
  private readonly ids = new IdTable();
  private free = new Uint32Array(1024);
  private freeTop = 0;
  /** Slots handed out so far (the high-water mark: tables need this many entries). */
  slotCount = 0;
  readonly anomalies: TraceAnomalies = { failedRequests: 0, unknownIds: 0, reusedLiveIds: 0, firstUnknown: [] };
  /** Events mapped so far. */
  events = 0;

  private take(): number {
    return this.freeTop > 0 ? this.free[--this.freeTop]! : this.slotCount++;
  }

  private give(slot: number): void {
    if (this.freeTop === this.free.length) {
      const f = new Uint32Array(this.free.length * 2);
      f.set(this.free);
      this.free = f;
    }
    this.free[this.freeTop++] = slot;
  }

  private bind(id: number): number {
    const s = this.take();
    if (this.ids.set(id, s)) this.anomalies.reusedLiveIds++;
    return s;
  }

  private unknown(c: EventChunk, j: number, text: string): void {
    const a = this.anomalies;
    a.unknownIds++;
    if (a.firstUnknown.length < KEEP_UNKNOWN) a.firstUnknown.push(`event ${c.firstEvent + j} (${c.positions} ${c.line[j]!}): ${text}`);
  }

  /** The replay operations of a chunk of events. */
  map(c: EventChunk): OpChunk {
    const n = c.count;
    const out: OpChunk = {
      count: n,
      firstEvent: c.firstEvent,
      op: new Uint8Array(n),
      slot: new Uint32Array(n),
      size: new Float64Array(n),
      arg: new Float64Array(n),
      line: c.line.slice(0, n),
    };
    const ids = this.ids;
    const a = this.anomalies;
    for (let j = 0; j < n; j++) {
      const kind = c.kind[j]!;
      const id = c.id[j]!;
      const size = c.size[j]!;
      out.size[j] = size;
      if (kind === EV_FREE) {
        const s = ids.delete(id);
        if (s < 0) {
          this.unknown(c, j, `f ${id.toString(16)}`);
          continue;
        }
        this.give(s);
        out.op[j] = OP_FREE;
        out.slot[j] = s;
        continue;
      }
      if (kind === EV_REALLOC) {
        const old = c.arg[j]!;
        if (old !== 0) {
          const s = ids.get(old);
          if (id === 0 && size > 0) {
            a.failedRequests++; // the old block stays as it was
            continue;
          }
          if (s < 0) {
            this.unknown(c, j, `r ${id.toString(16)} ${old.toString(16)} ${size}`);
            if (id === 0) continue;
            out.op[j] = OP_MALLOC;
            out.slot[j] = this.bind(id);
            continue;
          }
          ids.delete(old);
          if (id === 0) {
            // realloc(p, 0) that freed p.
            this.give(s);
            out.op[j] = OP_FREE;
            out.slot[j] = s;
            continue;
          }
          if (ids.set(id, s)) a.reusedLiveIds++;
          out.op[j] = OP_REALLOC;
          out.slot[j] = s;
          continue;
        }
        // realloc(NULL, n) is malloc(n).
        if (id === 0) {
          a.failedRequests++;
          continue;
        }
        out.op[j] = OP_MALLOC;
        out.slot[j] = this.bind(id);
        continue;
      }
      if (id === 0) {
        a.failedRequests++;
        continue;
      }
      out.op[j] = kind === EV_MALLOC ? OP_MALLOC : kind === EV_CALLOC ? OP_CALLOC : OP_MEMALIGN;
      if (kind === EV_MEMALIGN) out.arg[j] = c.arg[j]!;
      out.slot[j] = this.bind(id);
    }
    out.opCounts = countOps(out.op, n);
    this.events += n;
    return out;
  }
}
