/*
 * What the workloads other than churn share: an EventWriter that numbers blocks, cuts the events
 * into chunks and stops at the requested count, and a LiveList of the blocks a workload holds.
 *
 * EventWriter
 *   ids      1, 2, … ; a freed id is reused last-freed-first (a stack), as churn does, so the
 *            replay's id table stays near the live count
 *   chunks   full chunks wait in `ready` until the generator yields them (`yield* w.flush()`),
 *            so one workload step may write several events; `finish()` hands out the last one
 *   count    events beyond `ops` are dropped: `done` turns true after the ops-th event, and
 *            every workload loops `while (!w.done)`
 * LiveList   ids and requested sizes in two Float64Arrays; removal by index moves the last entry
 *            into the hole (O(1)); `take(i)` returns the id removed. Invariant: 0 ≤ count ≤ capacity.
 * No JS object is made per event.
 */

import { createEventChunk, pushEvent, EV_FREE, EV_MALLOC, type EventChunk } from '@heaplab/core';
import type { WorkloadOptions } from './api.js';

/** Checks a workload's options: ops and chunkEvents positive integers (ops may be 0). */
export function checkWorkloadOptions(o: WorkloadOptions, defaultOps: number): { ops: number; chunk: number } {
  if (!o || typeof o !== 'object') throw new TypeError('workload options must be an object { seed, ops?, chunkEvents? }');
  const ops = o.ops ?? defaultOps;
  if (!Number.isInteger(ops) || ops < 0) throw new RangeError(`ops must be a non-negative integer, got ${ops}`);
  const chunk = o.chunkEvents ?? 65536;
  if (!Number.isInteger(chunk) || chunk < 1) throw new RangeError(`chunkEvents must be a positive integer, got ${chunk}`);
  return { ops, chunk };
}

export class EventWriter {
  readonly ops: number;
  private readonly chunkEvents: number;
  private readonly sites: string[] = [];
  private chunk: EventChunk;
  private readonly ready: EventChunk[] = [];
  private freeIds = new Float64Array(1024);
  private freeTop = 0;
  private nextId = 1;
  /** Events written so far. */
  written = 0;

  constructor(readonly program: string, options: WorkloadOptions, defaultOps: number) {
    const { ops, chunk } = checkWorkloadOptions(options, defaultOps);
    this.ops = ops;
    this.chunkEvents = chunk;
    this.chunk = this.fresh();
  }

  /** True once `ops` events are written: the workload stops. */
  get done(): boolean {
    return this.written >= this.ops;
  }

  private fresh(): EventChunk {
    return createEventChunk(Math.max(1, Math.min(this.chunkEvents, this.ops - this.written)), this.written, this.sites, this.program);
  }

  private push(kind: number, id: number, size: number): void {
    pushEvent(this.chunk, kind, id, 0, size, -1, this.written + 2);
    this.written++;
    if (this.chunk.count === this.chunk.kind.length && !this.done) {
      this.ready.push(this.chunk);
      this.chunk = this.fresh();
    }
  }

  /** Writes a malloc of `size` bytes; returns the block's id (0 when `done`: nothing written). */
  malloc(size: number): number {
    if (this.done) return 0;
    const id = this.freeTop > 0 ? this.freeIds[--this.freeTop]! : this.nextId++;
    this.push(EV_MALLOC, id, size);
    return id;
  }

  /** Writes a free of a live id (nothing when `done` or id is 0). */
  free(id: number): void {
    if (this.done || id === 0) return;
    if (this.freeTop === this.freeIds.length) {
      const f = new Float64Array(this.freeTop * 2);
      f.set(this.freeIds);
      this.freeIds = f;
    }
    this.freeIds[this.freeTop++] = id;
    this.push(EV_FREE, id, 0);
  }

  /** The chunks filled since the last call (yield them: `yield* w.flush()`). */
  *flush(): Iterable<EventChunk> {
    while (this.ready.length > 0) yield this.ready.shift()!;
  }

  /** Every chunk not yet handed out, the last partial one included. */
  *finish(): Iterable<EventChunk> {
    yield* this.flush();
    if (this.chunk.count > 0) yield this.chunk;
  }
}

/** The blocks a workload holds: ids and sizes, removal by index in O(1). */
export class LiveList {
  ids: Float64Array;
  sizes: Float64Array;
  count = 0;

  constructor(capacity = 1024) {
    this.ids = new Float64Array(Math.max(1, capacity));
    this.sizes = new Float64Array(Math.max(1, capacity));
  }

  /** Appends a block (id 0, a request past `done`, is ignored). */
  add(id: number, size: number): void {
    if (id === 0) return;
    if (this.count === this.ids.length) {
      const i = new Float64Array(this.count * 2);
      i.set(this.ids);
      this.ids = i;
      const s = new Float64Array(this.count * 2);
      s.set(this.sizes);
      this.sizes = s;
    }
    this.ids[this.count] = id;
    this.sizes[this.count++] = size;
  }

  /** Removes entry i (the last entry takes its place) and returns its id. */
  take(i: number): number {
    const id = this.ids[i]!;
    this.count--;
    this.ids[i] = this.ids[this.count]!;
    this.sizes[i] = this.sizes[this.count]!;
    return id;
  }

  /** Removes and returns the last entry's id. */
  pop(): number {
    return this.ids[--this.count]!;
  }
}
