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
 * Restoring zeroes the pages that may hold data now and are not the checkpoint's, and writes back
 * every page of the checkpoint.
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
  data: Uint32Array[];
  /** Bytes this checkpoint added (pages not shared with the previous one). */
  bytes: number;
  graph: RunGraph<L>;
}

function words(space: AddressSpace): Uint32Array {
  if (!(space.flags instanceof Uint8Array) || space.flags.length * space.pageSize !== space.size) throw new RangeError('explore: checkpoints need a flat space (at most 4 GiB, one buffer)');
  return space.u32;
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

function isZero(u32: Uint32Array, w0: number, n: number): boolean {
  for (let i = w0; i < w0 + n; i++) if (u32[i] !== 0) return false;
  return true;
}

function equalPage(a: Uint32Array, u32: Uint32Array, w0: number): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== u32[w0 + i]) return false;
  return true;
}

/** Takes a checkpoint of a run after `event` events; `previous` (the last checkpoint) lends unchanged pages. */
export function takeCheckpoint<L>(graph: RunGraph<L>, event: number, previous: Checkpoint<L> | null): Checkpoint<L> {
  const space = graph.space;
  const u32 = words(space);
  const pw = space.pageSize >>> 2;
  const pages: number[] = [];
  const data: Uint32Array[] = [];
  let bytes = 0;
  let k = 0;
  for (const p of dataPages(space)) {
    const w0 = p * pw;
    if (isZero(u32, w0, pw)) continue;
    let kept: Uint32Array | null = null;
    if (previous !== null) {
      const prev = previous.pages;
      while (k < prev.length && prev[k]! < p) k++;
      if (k < prev.length && prev[k] === p && equalPage(previous.data[k]!, u32, w0)) kept = previous.data[k]!;
    }
    if (kept === null) {
      kept = u32.slice(w0, w0 + pw);
      bytes += space.pageSize;
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
  const u32 = words(space);
  const pw = space.pageSize >>> 2;
  // Plain fills and copies: TypedArray fill and set run as memset and memcpy, two to three times
  // faster than comparing the pages first in JavaScript to skip the equal ones.
  let k = 0;
  for (const p of dataPages(space)) {
    while (k < c.pages.length && c.pages[k]! < p) k++;
    if (k < c.pages.length && c.pages[k] === p) continue;
    u32.fill(0, p * pw, (p + 1) * pw);
  }
  for (let j = 0; j < c.pages.length; j++) u32.set(c.data[j]!, c.pages[j]! * pw);
  const graph = cloneGraph(c.graph, new Set<object>([space.buffer]));
  bindChain(graph.top);
  return graph;
}
