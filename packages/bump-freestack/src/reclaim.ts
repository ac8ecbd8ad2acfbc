/*
 * Reclaiming wholly free runs when the heap can grow no more (option `reclaimOnOom`, default on).
 * Felker's design never gives memory carved for one class to another; this is the one exception,
 * taken only when a run cannot be had otherwise, under the heap mutex:
 *
 *   1. take every class's whole free list (one CAS per stack: popAll; FIFO queues under their
 *      mutex), counting the free blocks found per run;
 *   2. a run whose every carved block was found is given back: off the run list, its PMAP
 *      entries cleared, its pages to the span pool (merged with neighbours) and madvise(DONTNEED)
 *      so they stop being resident; a class's current run is taken only if its carve word can be
 *      swapped to 0 (no other thread carved from it meanwhile);
 *   3. every other block goes back on its list, as one chain per class.
 *
 * Blocks held in any worker's local cache are not on a list, so they keep their run; the caller
 * flushes its own caches first. Cost: O(free blocks + runs), once per out-of-memory event.
 */

import { MADV_DONTNEED } from '@heaplab/core';
import { dequeueAll, enqueueChain, popAll, protect, pushChain } from './free-lists.js';
import type { SharedHeap } from './heap.js';
import { CLASS_AREA, CLASS_STRIDE, C_CARVE, C_HEAD, C_MUTEX, C_QUEUED, F, FLAG_SAFE_LINKING, HDR, RUN_HEADER_WORDS, R_BLOCKS, R_CLASS, R_NEXT, R_START } from './layout.js';

function classWord(heap: SharedHeap, c: number, off: number): number {
  return (heap.base + CLASS_AREA + c * CLASS_STRIDE + off) >>> 2;
}

/** Gives back every wholly free run; returns how many. Mutex held by the caller. */
export function reclaimRuns(heap: SharedHeap, fifo: boolean): number {
  const u32 = heap.u32;
  const nc = heap.classes.length;
  const sl = (heap.word(HDR.flags) & FLAG_SAFE_LINKING) !== 0 ? -1 : 0;
  const lists: number[][] = [];
  const runsOf: number[][] = [];
  const freeIn = new Map<number, number>();
  for (let c = 0; c < nc; c++) {
    let p = fifo
      ? dequeueAll(u32, heap.i32, classWord(heap, c, C_HEAD), classWord(heap, c, C_MUTEX), classWord(heap, c, C_QUEUED), heap.shared)
      : popAll(heap.b64, c * (CLASS_STRIDE / 8));
    const list: number[] = [];
    const runs: number[] = [];
    while (p !== 0) {
      list.push(p);
      const rec = (u32[heap.pmap + (p >>> heap.shift)]! >>> 2) * 4;
      runs.push(rec);
      freeIn.set(rec, (freeIn.get(rec) ?? 0) + 1);
      p = protect(p, u32[p >>> 2]!, sl);
    }
    lists.push(list);
    runsOf.push(runs);
  }
  const gone = new Set<number>();
  let prev = 0;
  for (let rec = heap.word(HDR.runList); rec !== 0; ) {
    const w = rec >>> 2;
    const next = u32[w + R_NEXT]!;
    const c = u32[w + R_CLASS]!;
    const blocks = u32[w + R_BLOCKS]!;
    const ci8 = c * (CLASS_STRIDE / 8) + C_CARVE / 8;
    const v = Atomics.load(heap.b64, ci8);
    const current = Number(v >> 32n) === rec;
    const carved = current ? Number(v & 0xffffffffn) : blocks;
    let take = (freeIn.get(rec) ?? 0) === carved;
    if (take && current) take = Atomics.compareExchange(heap.b64, ci8, v, 0n) === v;
    if (!take) {
      prev = rec;
      rec = next;
      continue;
    }
    // Unlink and give the pages back.
    if (prev === 0) heap.setWord(HDR.runList, next);
    else u32[(prev >>> 2) + R_NEXT] = next;
    gone.add(rec);
    const cls = heap.classes[c]!;
    const start = u32[w + R_START]!;
    const first = start >>> heap.shift;
    u32.fill(0, heap.pmap + first, heap.pmap + first + (cls.runBytes >>> heap.shift));
    u32.fill(0, w + RUN_HEADER_WORDS, w + RUN_HEADER_WORDS + blocks);
    heap.space.madvise(start, cls.runBytes, MADV_DONTNEED);
    heap.addCounter(F.runBytesTotal, -cls.runBytes);
    heap.addCounter(F.slackBytes, -cls.slack);
    heap.addCounter(F.reclaimedRuns, 1);
    if (!heap.poolAdd(start, cls.runBytes)) heap.addCounter(F.abandonedBytes, cls.runBytes);
    rec = next;
  }
  heap.addCounter(F.reclaims, 1);
  // Put back what stays, in the order found (the meta index in word 1 is still there).
  for (let c = 0; c < nc; c++) {
    const runs = runsOf[c]!;
    const keep = lists[c]!.filter((_, k) => !gone.has(runs[k]!));
    if (keep.length === 0) continue;
    for (let k = 0; k < keep.length; k++) u32[keep[k]! >>> 2] = protect(keep[k]!, k + 1 < keep.length ? keep[k + 1]! : 0, sl);
    const first = keep[0]!;
    const last = keep[keep.length - 1]!;
    if (fifo) enqueueChain(u32, heap.i32, classWord(heap, c, C_HEAD), classWord(heap, c, C_MUTEX), classWord(heap, c, C_QUEUED), heap.shared, first, last, keep.length, sl);
    else pushChain(heap.b64, c * (CLASS_STRIDE / 8), u32, first, last, sl);
  }
  return gone.size;
}
