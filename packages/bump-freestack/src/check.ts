/*
 * census() and check(): walk every structure of the heap and say where every byte is.
 * Call them while no other worker allocates or frees (the walks read other workers' caches).
 *
 * The equations checked (Census fields):
 *   heapBytes = runBytes + regionBytes + pooledBytes + abandonedBytes        (what sbrk/mmap gave)
 *   runBytes  = liveRunUsable + cachedBytes + listedBytes + uncarvedBytes + slackBytes
 *   every carved block is LIVE, or FREE and in exactly one cache or list; uncarved blocks are 0
 *   liveBlocks / liveBytes / usableBytes (runs + large blocks) = the sums of the slots' counters
 *   every block on a list or in a cache lies in a run of its own class, at a block boundary
 */

import { HeapCorruption, hex } from '@heaplab/core';
import type { BumpFreestackAllocator } from './bump-freestack.js';
import type { SharedHeap } from './heap.js';
import { protect } from './free-lists.js';
import {
  C_HEAD, F, HDR, KIND_LARGE, KIND_RUN, L_BASE, L_KIND, L_NEXT, L_PAGES, L_PREV,
  L_REQUESTED, REC_LARGE, RUN_HEADER_WORDS, R_BLOCKS, R_CLASS, R_NEXT, R_START, STATE_FREE, STATE_LIVE, STATE_NONE,
  S_LIVE_BLOCKS,
} from './layout.js';

/** Where every byte of the heap is. */
export interface Census {
  /** Bytes the heap obtained with sbrk and mmap chunks (metadata and large blocks apart). */
  heapBytes: number;
  /** Bytes in runs (carved or not). */
  runBytes: number;
  runs: number;
  /** The bump region not yet cut into runs. */
  regionBytes: number;
  /** Pages of reclaimed runs and retired region tails, ready for new runs. */
  pooledBytes: number;
  /** Bytes lost to alignment padding of the break (and records that could not be made). */
  abandonedBytes: number;
  liveBlocks: number;
  liveBytes: number;
  usableBytes: number;
  /** Usable bytes of live blocks in runs (large blocks apart). */
  liveRunUsable: number;
  cachedBlocks: number;
  cachedBytes: number;
  /** Free blocks on the shared stacks (or FIFO queues). */
  listedBlocks: number;
  listedBytes: number;
  /** Run bytes past each class's carve index. */
  uncarvedBytes: number;
  /** Run bytes after the last block of each run. */
  slackBytes: number;
  largeBlocks: number;
  largeBytes: number;
  metadataBytes: number;
  /** Runs given back by reclaims so far, and how many reclaims ran. */
  reclaimedRuns: number;
  reclaims: number;
}

export function census(a: BumpFreestackAllocator): Census {
  const heap = a.heap;
  const m = heap.m;
  const hb = heap.hb;
  const label = a.identity.label;
  const bad = (what: string): never => {
    throw new HeapCorruption(label, what);
  };
  const c0: Census = {
    heapBytes: heap.counter(F.heapBytes), runBytes: 0, runs: 0, regionBytes: heap.word(HDR.regionEnd) - heap.word(HDR.regionCursor),
    pooledBytes: 0, abandonedBytes: heap.counter(F.abandonedBytes), liveBlocks: 0, liveBytes: 0, usableBytes: 0, liveRunUsable: 0,
    cachedBlocks: 0, cachedBytes: 0, listedBlocks: 0, listedBytes: 0, uncarvedBytes: 0, slackBytes: 0, largeBlocks: 0, largeBytes: 0,
    metadataBytes: heap.layout.bytes + heap.counter(F.metaChunkBytes),
    reclaimedRuns: heap.counter(F.reclaimedRuns), reclaims: heap.counter(F.reclaims),
  };
  // Runs: every block's state; FREE blocks remembered to be found exactly once below.
  const free = new Map<number, number>(); // block handle → meta word handle, until found
  const maxRuns = heap.layout.pmapPages + 1;
  for (let rec = heap.word(HDR.runList); rec !== 0; rec = heap.rec(rec, R_NEXT)) {
    if (++c0.runs > maxRuns) bad('the run list has a cycle');
    const c = heap.rec(rec, R_CLASS);
    const cls = a.classes[c] ?? bad(`run record ${hex(rec)} has class ${c}`);
    const start = heap.rec(rec, R_START);
    const blocks = heap.rec(rec, R_BLOCKS);
    if (blocks !== cls.blocks || start % heap.ps !== 0) bad(`run ${hex(hb + start)} (class ${cls.size}): ${blocks} blocks, expected ${cls.blocks} at a page boundary`);
    for (let p = start; p < start + cls.runBytes; p += heap.ps) {
      if (heap.pmapEntry(p) !== ((rec | KIND_RUN) >>> 0)) bad(`page ${hex(hb + p)} of run ${hex(hb + start)} does not point at its record in the page map`);
    }
    const index = heap.carveWord(c);
    const carved = heap.carveRec === rec ? index : blocks;
    if (carved > blocks) bad(`run ${hex(hb + start)}: carve index ${carved} past its ${blocks} blocks`);
    c0.runBytes += cls.runBytes;
    c0.slackBytes += cls.slack;
    c0.uncarvedBytes += (blocks - carved) * cls.size;
    for (let i = 0; i < blocks; i++) {
      const meta = heap.rec(rec, RUN_HEADER_WORDS + i);
      const state = meta & 3;
      const at = `block ${hex(hb + start + i * cls.size)} (class ${cls.size})`;
      if (i >= carved) {
        if (meta !== STATE_NONE) bad(`${at} is past the carve index but has meta word ${hex(meta)}`);
        continue;
      }
      if (state === STATE_LIVE) {
        c0.liveBlocks++;
        c0.liveBytes += meta >>> 2;
        c0.liveRunUsable += cls.size;
        if (meta >>> 2 > cls.size) bad(`${at} records a requested size of ${meta >>> 2}`);
      } else if (state === STATE_FREE) {
        free.set(start + i * cls.size, rec + 4 * (RUN_HEADER_WORDS + i));
      } else bad(`${at} was carved but its meta word is ${hex(meta)}`);
    }
  }
  if (c0.runBytes !== heap.counter(F.runBytesTotal)) bad(`runs add up to ${c0.runBytes} bytes, the counter says ${heap.counter(F.runBytesTotal)}`);
  const claim = (p: number, mi: number, c: number, where: string): void => {
    const expect = free.get(p);
    if (expect === undefined) bad(`${where} holds ${hex(hb + p)}, which is not a free block (or is listed twice)`);
    if (mi >= 0 && expect !== mi) bad(`${where} holds ${hex(hb + p)} with meta word ${hex(hb + mi)}, expected ${hex(hb + (expect ?? 0))}`);
    const e = heap.pmapEntry(p);
    if (heap.rec(e - KIND_RUN, R_CLASS) !== c) bad(`${where} holds ${hex(hb + p)}, a block of another class`);
    free.delete(p);
  };
  // Caches of every slot.
  const lay = heap.layout;
  for (let s = 0; s < lay.slots; s++) {
    const slot = heap.base + lay.slotsOffset + s * lay.slotBytes;
    for (const cls of a.classes) {
      const ca = slot + lay.cacheOffset[cls.index]!;
      const n = m.u32(ca);
      if (n > Math.max(1, cls.cacheCap)) bad(`slot ${s}: cache of class ${cls.size} holds ${n} blocks, capacity ${cls.cacheCap}`);
      for (let k = 0; k < n; k++) claim(m.u32(ca + 4 + 8 * k), m.u32(ca + 8 + 8 * k), cls.index, `slot ${s}'s cache of class ${cls.size}`);
      c0.cachedBlocks += n;
      c0.cachedBytes += n * cls.size;
    }
  }
  // Shared lists (stack top in the low word of the head, or the FIFO head: both at +0).
  for (const cls of a.classes) {
    let p = m.u32(heap.classAt(cls.index, C_HEAD));
    for (let k = 0; p !== 0; k++) {
      if (k > free.size + c0.listedBlocks) bad(`the free list of class ${cls.size} has a cycle`);
      claim(p, m.u32(hb + p + 4), cls.index, `the free list of class ${cls.size}`);
      c0.listedBlocks++;
      c0.listedBytes += cls.size;
      p = protect(p, m.u32(hb + p), a.options.safeLinking ? -1 : 0);
    }
  }
  if (free.size > 0) bad(`${free.size} free blocks are in no cache and on no list, e.g. ${hex(hb + free.keys().next().value!)}`);
  // Large blocks.
  let prevRec = 0;
  for (let r = heap.word(HDR.largeList); r !== 0; prevRec = r, r = heap.rec(r, L_NEXT)) {
    if (++c0.largeBlocks > maxRuns) bad('the large list has a cycle');
    if (heap.rec(r, L_KIND) !== REC_LARGE || heap.rec(r, L_PREV) !== prevRec) bad(`large record ${hex(hb + r)} is damaged`);
    const base = heap.rec(r, L_BASE);
    const bytes = heap.rec(r, L_PAGES) * heap.ps;
    if (heap.pmapEntry(base) !== ((r | KIND_LARGE) >>> 0)) bad(`large block ${hex(hb + base)} is not in the page map`);
    if (!heap.space.accessible(hb + base, bytes, 3)) bad(`large block ${hex(hb + base)} is not mapped writable`);
    c0.largeBytes += bytes;
    c0.liveBlocks++;
    c0.liveBytes += heap.rec(r, L_REQUESTED);
  }
  if (c0.largeBlocks !== heap.counter(F.largeBlocks) || c0.largeBytes !== heap.counter(F.largeBytes)) bad('the large-block counters disagree with the large list');
  c0.usableBytes = c0.liveRunUsable + c0.largeBytes;
  // Span pool.
  for (let s = heap.word(HDR.spanList); s !== 0; s = heap.rec(s, L_NEXT)) c0.pooledBytes += heap.rec(s, L_PAGES);
  if (c0.pooledBytes !== heap.counter(F.pooledBytes)) bad(`the span pool holds ${c0.pooledBytes} bytes, the counter says ${heap.counter(F.pooledBytes)}`);
  // The equations.
  const inRuns = c0.liveRunUsable + c0.cachedBytes + c0.listedBytes + c0.uncarvedBytes + c0.slackBytes;
  if (inRuns !== c0.runBytes) bad(`runs hold ${c0.runBytes} bytes but live ${c0.liveRunUsable} + cached ${c0.cachedBytes} + listed ${c0.listedBytes} + uncarved ${c0.uncarvedBytes} + slack ${c0.slackBytes} = ${inRuns}`);
  const total = c0.runBytes + c0.regionBytes + c0.pooledBytes + c0.abandonedBytes;
  if (total !== c0.heapBytes) bad(`the heap obtained ${c0.heapBytes} bytes but runs ${c0.runBytes} + region ${c0.regionBytes} + pool ${c0.pooledBytes} + abandoned ${c0.abandonedBytes} = ${total}`);
  // The slots' counters.
  const t = slotTotals(heap);
  if (t.liveBlocks !== c0.liveBlocks || t.liveBytes !== c0.liveBytes || t.usableBytes !== c0.usableBytes) {
    bad(`counters say ${t.liveBlocks} live blocks / ${t.liveBytes} bytes / ${t.usableBytes} usable, the walk found ${c0.liveBlocks} / ${c0.liveBytes} / ${c0.usableBytes}`);
  }
  return c0;
}

/** The sums of every slot's counters (a worker's frees of others' blocks make its own go negative). */
export function slotTotals(heap: SharedHeap): { liveBlocks: number; liveBytes: number; usableBytes: number } {
  const lay = heap.layout;
  const m = heap.m;
  let liveBlocks = 0;
  let liveBytes = 0;
  let usableBytes = 0;
  for (let s = 0; s < lay.slots; s++) {
    const at = heap.base + lay.slotsOffset + s * lay.slotBytes + S_LIVE_BLOCKS;
    liveBlocks += m.f64(at);
    liveBytes += m.f64(at + 8);
    usableBytes += m.f64(at + 16);
  }
  return { liveBlocks, liveBytes, usableBytes };
}

/** check(): the census, for its exceptions. */
export function checkHeap(a: BumpFreestackAllocator): void {
  census(a);
}
