/*
 * The heap's metadata region: every piece of shared state, inside the space's memory, so that a
 * worker attaching to the same space sees one heap. The region is one mapping made at creation;
 * its first word is MAGIC, so `attach` can find it. Byte offsets from the region's base M:
 *
 *   M + 0     header (HDR below): magic, version, the options (attach recomputes the classes),
 *             the heap mutex, the bump region, the metadata bump, list heads, owner bitmap
 *   M + 96    f64 counters (F below), then the owner bitmap and the mmap threshold
 *   M + 256   per class, CLASS_STRIDE = 32 bytes:
 *               +0  u64 free-stack head  = tag << 32 | handle of the top block (0: empty)
 *                   (FIFO: u32 head handle at +0, u32 tail handle at +4)
 *               +8  u64 carve word       = run record handle << 32 | next block index
 *               +16 i32 class mutex (FIFO only)   +20 u32 blocks queued (FIFO only)
 *   SLOTS     maxWorkers slots of slotBytes each (64-aligned):
 *               +0 u32 state (0 free, 1 attached)   +8 f64 liveBlocks  +16 f64 liveBytes
 *               +24 f64 usableBytes
 *               +32 per class: u32 count, then cacheCap × (u32 block handle, u32 meta word handle)
 *   PMAP      u32 per page of the handle window (below): 0, or the handle of the record of the run
 *             or large block the page belongs to | kind (KIND_*): records are 4-aligned, so one
 *             load gives both
 *
 * Handles: every address stored in the space (links, records, the page map, header cursors and
 * lists, cache entries, run starts) is a u32 handle = address − hb, where hb = handleBase(space):
 * 0 when the space's mmap area ends at or below 2^32 (every flat space: a handle is the address),
 * else 2^32 below the top of the mmap area (a 2^47 space: 2^47 − 2^32), so the heap's mappings,
 * which the space hands out top-down from there, get handles below 2^32. The heap takes memory only
 * inside the window (hb, hb + 2^32) (heap.ts): in a large space it holds at most about 4 GiB, and
 * does not use the break, which lies at the bottom. Handle 0 means "none". A run's blocks'
 * meta words are named by the handle of the meta word (byte granular).
 *
 * Records live in metadata chunks (mapped on demand, bumped under the heap mutex):
 *   run record:   [next run, start address, class index, blocks] then one meta word per block
 *   large record: [next, prev, base, pages, requested, kind] (32 bytes; reused from a free list)
 *   span record:  [next, address, bytes, kind] (a reclaimed run's pages; same 32-byte pool)
 *
 * Block meta word: requested size << 2 | state (0 never carved, 1 live, 2 free: cached or stacked).
 *
 * Invariants: M is page-aligned; every offset of a u64 field is 8-aligned; PMAP[p] ≠ 0 exactly for
 * pages of our runs and live large blocks (and KIND_FREED on the first page of a freed large block).
 */

import type { AddressSpace } from '@heaplab/core';
import type { SizeClass } from './size-classes.js';

/** Bytes of the handle window: handles are u32. */
export const WINDOW_BYTES = 2 ** 32;

/** The handle base of a heap in `space`: stored handle h names address hb + h (file comment). */
export function handleBase(space: AddressSpace): number {
  return Math.max(0, (space.directMapBase ?? space.size) - WINDOW_BYTES);
}

/** Pages of the handle window (the page map's length). */
export function windowPages(space: AddressSpace): number {
  return Math.min(space.pageCount, WINDOW_BYTES / space.pageSize);
}

export const MAGIC = 0x4b534642; // 'BFSK'
export const VERSION = 2;

/** Byte offsets of header fields. */
export const HDR = {
  magic: 0, version: 4, bytes: 8, largestClass: 12, classesPerDoubling: 16, runBytes: 20,
  growBytes: 24, cacheBlocks: 28, cacheBytes: 32, flags: 36, maxWorkers: 40, classCount: 44,
  mutex: 48, attached: 52, regionCursor: 56, regionEnd: 60, regionKind: 64, metaCursor: 68,
  metaEnd: 72, runList: 76, largeList: 80, recordFreeList: 84, spanList: 88, creatorOwner: 92,
  ownerBits: 176, // 16 words: bit i set when owner index i belongs to this heap
  threshold: 240, // the current mmap threshold (raised by frees when dynamic)
  thresholdOption: 244, // the mmapThreshold option, as made
} as const;

/** Byte offsets of the f64 counters. */
export const F = {
  heapBytes: 96, abandonedBytes: 104, metaChunkBytes: 112, pooledBytes: 120, runBytesTotal: 128,
  largeBlocks: 136, largeBytes: 144, reclaimedRuns: 152, reclaims: 160, slackBytes: 168,
} as const;

export const FLAG_FIFO = 1;
export const FLAG_RECLAIM = 2;
export const FLAG_DYNAMIC = 4;
export const FLAG_SAFE_LINKING = 8;

export const REGION_NONE = 0;
export const REGION_BRK = 1;
export const REGION_CHUNK = 2;

export const CLASS_AREA = 256;
export const CLASS_STRIDE = 32;
export const C_HEAD = 0;
export const C_CARVE = 8;
export const C_MUTEX = 16;
export const C_QUEUED = 20;

export const SLOT_HEADER = 32;
export const S_STATE = 0;
export const S_LIVE_BLOCKS = 8;
export const S_LIVE_BYTES = 16;
export const S_USABLE_BYTES = 24;

export const KIND_RUN = 1;
export const KIND_LARGE = 2;
export const KIND_FREED = 3;

export const RUN_HEADER_WORDS = 4;
export const R_NEXT = 0;
export const R_START = 1;
export const R_CLASS = 2;
export const R_BLOCKS = 3;

export const RECORD_BYTES = 32;
export const L_NEXT = 0;
export const L_PREV = 1;
export const L_BASE = 2;
export const L_PAGES = 3;
export const L_REQUESTED = 4;
export const L_KIND = 5;
export const REC_LARGE = 1;
export const REC_SPAN = 2;
export const REC_FREE = 3;

export const STATE_NONE = 0;
export const STATE_LIVE = 1;
export const STATE_FREE = 2;

/** Where everything sits for one heap. */
export interface HeapLayout {
  classes: number;
  slots: number;
  slotBytes: number;
  /** Offset inside a slot of each class's cache (its count word; entries follow). */
  cacheOffset: Uint32Array;
  slotsOffset: number;
  pmapOffset: number;
  /** Entries of the page map: the pages of the handle window. */
  pmapPages: number;
  /** Bytes of the region (a page multiple). */
  bytes: number;
}

function up(n: number, a: number): number {
  return Math.ceil(n / a) * a;
}

/** The layout for these classes, worker count and page-map length (windowPages of the space). */
export function computeLayout(classes: readonly SizeClass[], maxWorkers: number, pageCount: number, pageSize: number): HeapLayout {
  const cacheOffset = new Uint32Array(classes.length);
  let at = SLOT_HEADER;
  for (const c of classes) {
    cacheOffset[c.index] = at;
    at += 4 + 8 * Math.max(1, c.cacheCap); // one entry even without a cache: refill hands a block through it
  }
  const slotBytes = up(at, 64);
  const slotsOffset = up(CLASS_AREA + CLASS_STRIDE * classes.length, 64);
  const pmapOffset = up(slotsOffset + slotBytes * maxWorkers, 64);
  const bytes = up(pmapOffset + 4 * pageCount, pageSize);
  return { classes: classes.length, slots: maxWorkers, slotBytes, cacheOffset, slotsOffset, pmapOffset, pmapPages: pageCount, bytes };
}
