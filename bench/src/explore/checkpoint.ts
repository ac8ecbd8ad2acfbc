/*
 * Checkpoints of a run for the explorer: the pages of the space that may hold data, and a deep
 * copy (clone.ts) of the JavaScript side — the space object, the allocator with its wrappers and
 * the replay's live-block table. A jump to event e restores the nearest checkpoint at or before
 * e into the run's own buffer and replays the events between: no replay from the start.
 *
 * Pages kept: the space's header (its mapping table, page flags, owners, counters) and every
 * mapped page that is writable or resident (a page never writable reads as zero; unmapped pages
 * and pages given back read as zero: the space zeroes them). All-zero pages are left out, and a
 * page equal to the previous checkpoint's copy shares it, so checkpoints cost what changed.
 * Restoring zeroes the pages that may hold data now and writes the checkpoint's pages back.
 * Only flat spaces (one buffer, address = offset, at most 4 GiB) can be checkpointed.
 *
 * Identities: whoOwns finds wrappers from identities through core's instance table (a WeakMap);
 * a restored copy binds each copied identity in the chain to its copied instance.
 */

import { bindInstance, type AddressSpace, type Allocator } from '@heaplab/core';
import { cloneGraph } from './clone.js';

/** PAGE_MAPPED, PAGE_WRITE and PAGE_RESIDENT of core's page flags (packages/core/src/space/layout.ts). */
const PAGE_MAPPED = 1;
const PAGE_WRITE = 4;
const PAGE_RESIDENT = 8;

/** The JavaScript state of a run: what a checkpoint copies besides pages. */
export interface RunGraph<L> {
  space: AddressSpace;
  /** The outermost allocator (wrappers above the leaf). */
  top: Allocator;
  /** The replay's own state (live blocks by trace id). */
  live: L;
}

/** A run's state at one event. */
export interface Checkpoint<L> {
  event: number;
  /** Page numbers kept, ascending, and their bytes (a page equal to the previous checkpoint's shares its array). */
  pages: Int32Array;
  data: Uint8Array[];
  /** Bytes this checkpoint added (pages not shared with the previous one). */
  bytes: number;
  graph: RunGraph<L>;
}

function pageBytes(space: AddressSpace): Uint8Array {
  if (!(space.flags instanceof Uint8Array) || space.flags.length * space.pageSize !== space.size) throw new RangeError('explore: checkpoints need a flat space (at most 4 GiB, one buffer)');
  return new Uint8Array(space.buffer);
}

/** Pages that may hold data: the header's, then mapped pages that are writable or resident. */
function dataPages(space: AddressSpace): number[] {
  const flags = space.flags;
  const out: number[] = [];
  const header = Math.ceil(space.headerBytes / space.pageSize);
  for (let p = 0; p < header; p++) out.push(p);
  for (let p = header; p < flags.length; p++) {
    const f = flags[p]!;
    if (f & PAGE_MAPPED && f & (PAGE_WRITE | PAGE_RESIDENT)) out.push(p);
  }
  return out;
}

function isZero(u8: Uint8Array, start: number, n: number): boolean {
  const w = new Uint32Array(u8.buffer, u8.byteOffset + start, n >>> 2);
  for (let i = 0; i < w.length; i++) if (w[i] !== 0) return false;
  return true;
}

function equalPage(a: Uint8Array, u8: Uint8Array, start: number): boolean {
  const x = new Uint32Array(a.buffer, a.byteOffset, a.length >>> 2);
  const y = new Uint32Array(u8.buffer, u8.byteOffset + start, a.length >>> 2);
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}

/** Takes a checkpoint of a run after `event` events; `previous` (the last checkpoint) lends unchanged pages. */
export function takeCheckpoint<L>(graph: RunGraph<L>, event: number, previous: Checkpoint<L> | null): Checkpoint<L> {
  const space = graph.space;
  const u8 = pageBytes(space);
  const ps = space.pageSize;
  const pages: number[] = [];
  const data: Uint8Array[] = [];
  let bytes = 0;
  let k = 0;
  for (const p of dataPages(space)) {
    const start = p * ps;
    if (isZero(u8, start, ps)) continue;
    let kept: Uint8Array | null = null;
    if (previous !== null) {
      const prev = previous.pages;
      while (k < prev.length && prev[k]! < p) k++;
      if (k < prev.length && prev[k] === p && equalPage(previous.data[k]!, u8, start)) kept = previous.data[k]!;
    }
    if (kept === null) {
      kept = u8.slice(start, start + ps);
      bytes += ps;
    }
    pages.push(p);
    data.push(kept);
  }
  return { event, pages: Int32Array.from(pages), data, bytes, graph: cloneGraph(graph, new Set<object>([space.buffer])) };
}

/** Binds each identity of the chain from `top` down to its instance (whoOwns climbs through them). */
function bindChain(top: Allocator): void {
  for (let a: Allocator | undefined = top; a !== undefined; a = (a as { inner?: Allocator }).inner) bindInstance(a.identity, a);
}

/**
 * Puts `space` (the run's own, whose buffer the checkpoint's graph shares) back to the checkpoint
 * and returns a fresh copy of its JavaScript state to run on.
 */
export function restoreCheckpoint<L>(space: AddressSpace, c: Checkpoint<L>): RunGraph<L> {
  if (c.graph.space.buffer !== space.buffer) throw new RangeError('explore: a checkpoint restores only into the space it was taken of');
  const u8 = pageBytes(space);
  const ps = space.pageSize;
  for (const p of dataPages(space)) u8.fill(0, p * ps, (p + 1) * ps);
  for (let k = 0; k < c.pages.length; k++) u8.set(c.data[k]!, c.pages[k]! * ps);
  const graph = cloneGraph(c.graph, new Set<object>([space.buffer]));
  bindChain(graph.top);
  return graph;
}
