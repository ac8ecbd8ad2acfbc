/*
 * Size classes, computed (never typed): from 16 to 128 in steps of 16, then `perDoubling`
 * classes in each doubling up to `largest` (with 4: 160, 192, 224, 256, 320, 384, 448, 512, …).
 * Every class is a multiple of 16, and every power of two from 16 to `largest` is a class, so an
 * alignment a ≤ page size is served by the smallest class ≥ max(size, a) that is a multiple of a.
 *
 * Per class: its run (page-aligned, ≥ runBytes and ≥ one block, grown by up to a page at a time
 * until the slack after the last block is ≤ 1/32 of the run) and its local cache capacity.
 *
 * Invariants: sizes strictly increase; size % 16 = 0; blocks × size + slack = run bytes;
 * classOf(s) is the smallest class with size ≥ s, for 0 ≤ s ≤ largest (0 maps to class 0).
 */

import type { BumpFreestackOptions } from './api.js';

/** One size class. */
export interface SizeClass {
  index: number;
  /** Block size (usable size) in bytes. */
  size: number;
  /** Bytes of one run of this class (page multiple). */
  runBytes: number;
  /** Blocks in one run. */
  blocks: number;
  /** Bytes after the last block of a run (never handed out). */
  slack: number;
  /** Local cache capacity per worker (even; 0 when caches are off). */
  cacheCap: number;
}

/** The sizes of the classes for a largest class and classes per doubling. */
export function classSizes(largest: number, perDoubling: number): number[] {
  const out: number[] = [];
  for (let s = 16; s <= Math.min(128, largest); s += 16) out.push(s);
  for (let base = 128; base < largest; base *= 2) {
    const step = base / perDoubling;
    for (let k = 1; k <= perDoubling; k++) out.push(base + k * step);
  }
  return out;
}

/** Bytes of a run for a class: ≥ runBytes and ≥ size, page multiple, slack ≤ run/32 when a few more pages allow it. */
export function runBytesFor(size: number, runBytes: number, pageSize: number): number {
  const min = Math.ceil(Math.max(runBytes, size) / pageSize) * pageSize;
  let best = min;
  let bestWaste = 1;
  for (let r = min; r <= min + 8 * pageSize; r += pageSize) {
    const waste = (r % size) / r;
    if (waste <= 1 / 32) return r;
    if (waste < bestWaste) {
      best = r;
      bestWaste = waste;
    }
  }
  return best;
}

/** Local cache capacity of a class (even, ≥ 2 unless caches are off or FIFO). */
export function cacheCapFor(size: number, o: Pick<BumpFreestackOptions, 'cacheBlocks' | 'cacheBytes' | 'fifo'>): number {
  if (o.fifo || o.cacheBlocks === 0) return 0;
  const n = Math.max(2, Math.min(o.cacheBlocks, Math.floor(o.cacheBytes / size)));
  return n & ~1;
}

/** The classes of an allocator with these options over pages of `pageSize`. */
export function computeSizeClasses(o: BumpFreestackOptions, pageSize: number): SizeClass[] {
  return classSizes(o.largestClass, o.classesPerDoubling).map((size, index) => {
    const runBytes = runBytesFor(size, o.runBytes, pageSize);
    const blocks = Math.floor(runBytes / size);
    return { index, size, runBytes, blocks, slack: runBytes - blocks * size, cacheCap: cacheCapFor(size, o) };
  });
}

/**
 * The class lookup table: entry (s + 15) >>> 4 is the index of the smallest class ≥ s, for
 * 0 ≤ s ≤ largest. One byte per 16 bytes of request (8 KiB for a 128 KiB largest class).
 */
export function classLookup(classes: readonly SizeClass[]): Uint8Array {
  const largest = classes[classes.length - 1]!.size;
  const table = new Uint8Array((largest >>> 4) + 1);
  let c = 0;
  for (let g = 0; g <= largest >>> 4; g++) {
    while (classes[c]!.size < g * 16) c++;
    table[g] = c;
  }
  return table;
}

/** The smallest class index whose size is ≥ size and a multiple of align (align ≤ page size), or −1. */
export function classForAligned(classes: readonly SizeClass[], size: number, align: number): number {
  const need = Math.max(size, align);
  for (const c of classes) if (c.size >= need && c.size % align === 0) return c.index;
  return -1;
}
