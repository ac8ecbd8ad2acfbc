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
import { dequeueAll, enqueueChain, popAll, popAllLocal, protect, pushChain, pushChainLocal } from './free-lists.js';
import type { SharedHeap } from './heap.js';
import { CLASS_STRIDE, C_CARVE, C_HEAD, C_MUTEX, C_QUEUED, F, FLAG_SAFE_LINKING, HDR, RUN_HEADER_WORDS, R_BLOCKS, R_CLASS, R_NEXT, R_START } from './layout.js';

/** Gives back every wholly free run; returns how many. Mutex held by the caller. */
export function reclaimRuns(heap: SharedHeap, fifo: boolean): number {
  const m = heap.m;
  const hb = heap.hb;
  const nc = heap.classes.length;
  const sl = (heap.word(HDR.flags) & FLAG_SAFE_LINKING) !== 0 ? -1 : 0;
  const lists: number[][] = [];
  const runsOf: number[][] = [];
  const freeIn = new Map<number, number>();
  for (let c = 0; c < nc; c++) {
    let p = fifo
      ? dequeueAll(m, heap.classAt(c, C_HEAD), heap.classAt(c, C_MUTEX), heap.classAt(c, C_QUEUED), heap.shared)
      : heap.shared
        ? popAll(heap.b64, c * (CLASS_STRIDE / 8))
        : popAllLocal(m, heap.classAt(c, C_HEAD));
    const list: number[] = [];
    const runs: number[] = [];
    while (p !== 0) {
      list.push(p);
      const rec = heap.pmapEntry(p) - 1; // KIND_RUN
      runs.push(rec);
      freeIn.set(rec, (freeIn.get(rec) ?? 0) + 1);
      p = protect(p, m.u32(hb + p), sl);
    }
    lists.push(list);
    runsOf.push(runs);
  }
  const gone = new Set<number>();
  let prev = 0;
  for (let rec = heap.word(HDR.runList); rec !== 0; ) {
    const next = heap.rec(rec, R_NEXT);
    const c = heap.rec(rec, R_CLASS);
    const blocks = heap.rec(rec, R_BLOCKS);
    const carvedNow = heap.carveWord(c);
    const current = heap.carveRec === rec;
    const carved = current ? carvedNow : blocks;
    let take = (freeIn.get(rec) ?? 0) === carved;
    if (take && current) {
      // The carve word is swapped to 0 only if no other thread carved from the run meanwhile.
      const at = heap.classAt(c, C_CARVE);
      if (heap.shared) {
        const v = (BigInt(rec) << 32n) | BigInt(carvedNow);
        take = Atomics.compareExchange(heap.b64, c * (CLASS_STRIDE / 8) + C_CARVE / 8, v, 0n) === v;
      } else {
        m.setU32(at, 0);
        m.setU32(at + 4, 0);
      }
    }
    if (!take) {
      prev = rec;
      rec = next;
      continue;
    }
    // Unlink and give the pages back.
    if (prev === 0) heap.setWord(HDR.runList, next);
    else heap.setRec(prev, R_NEXT, next);
    gone.add(rec);
    const cls = heap.classes[c]!;
    const start = heap.rec(rec, R_START);
    heap.setPmap(start, cls.runBytes >>> heap.shift, 0);
    m.fill(hb + rec + 4 * RUN_HEADER_WORDS, 4 * blocks, 0);
    heap.space.madvise(hb + start, cls.runBytes, MADV_DONTNEED);
    heap.addCounter(F.runBytesTotal, -cls.runBytes);
    heap.addCounter(F.slackBytes, -cls.slack);
    heap.addCounter(F.reclaimedRuns, 1);
    if (!heap.poolAdd(start, cls.runBytes)) heap.addCounter(F.abandonedBytes, cls.runBytes);
    rec = next;
  }
  heap.addCounter(F.reclaims, 1);
  // Put back what stays, in the order found (the meta word's handle in word 1 is still there).
  for (let c = 0; c < nc; c++) {
    const runs = runsOf[c]!;
    const keep = lists[c]!.filter((_, k) => !gone.has(runs[k]!));
    if (keep.length === 0) continue;
    for (let k = 0; k < keep.length; k++) m.setU32(hb + keep[k]!, protect(keep[k]!, k + 1 < keep.length ? keep[k + 1]! : 0, sl));
    const first = keep[0]!;
    const last = keep[keep.length - 1]!;
    if (fifo) enqueueChain(m, heap.classAt(c, C_HEAD), heap.classAt(c, C_MUTEX), heap.classAt(c, C_QUEUED), heap.shared, hb, first, last, keep.length, sl);
    else if (heap.shared) pushChain(heap.b64, c * (CLASS_STRIDE / 8), m, hb, first, last, sl);
    else pushChainLocal(m, heap.classAt(c, C_HEAD), hb, first, last, sl);
  }
  return gone.size;
}
