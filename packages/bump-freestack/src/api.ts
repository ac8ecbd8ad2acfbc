/*
 * Options of the bump-freestack allocator: types, TSDoc and defaults only. The behaviour lives in
 * bump-freestack.ts; the size classes these options produce are computed in size-classes.ts.
 */

/** Options of `createBumpFreestackAllocator`. Every field has a default (DEFAULT_OPTIONS). */
export interface BumpFreestackOptions {
  /**
   * The largest size class, in bytes: a power of two, 256 … 1 MiB. Requests above it always get
   * a mapping of their own (munmapped on free). Default 262144 (256 KiB).
   */
  largestClass: number;
  /**
   * Requests above this many bytes get a mapping of their own (at most largestClass). Default
   * 131072 (128 KiB, glibc's M_MMAP_THRESHOLD).
   */
  mmapThreshold: number;
  /**
   * As glibc: when a block in its own mapping is freed, raise the threshold to its requested size
   * (up to largestClass), so a program that keeps allocating blocks that size stops paying an
   * mmap and a munmap for each. Default true.
   */
  dynamicThreshold: boolean;
  /**
   * Size classes per doubling above 128 bytes (1, 2, 4 or 8); below 128 the classes step by 16.
   * More classes: less internal fragmentation, more memory carved per class. Default 4.
   */
  classesPerDoubling: number;
  /**
   * Bytes of a run: the bump pointer carves page-aligned runs of at least this many bytes (at
   * least one block), each cut into blocks of one class. A multiple of the page size. Default 16384.
   */
  runBytes: number;
  /**
   * How much the heap segment grows per `sbrk` (and the size of an mmap chunk when the break
   * cannot grow). A multiple of the page size. Untouched pages cost no resident memory. Default 262144.
   */
  growBytes: number;
  /**
   * Most blocks a worker's local cache holds per class (an even number, 0 disables the caches).
   * Default 128: blocks that travel between workers cross the shared stacks half a cache at a
   * time, so a larger cache means fewer atomics per block (the README's producer/consumer
   * script compares sizes).
   */
  cacheBlocks: number;
  /**
   * Most bytes a worker's local cache holds per class: a class of size s caches
   * max(2, min(cacheBlocks, ⌊cacheBytes / s⌋)) blocks. Default 65536.
   */
  cacheBytes: number;
  /**
   * Reuse freed blocks oldest first (FIFO) instead of in stack order: a queue per class under a
   * per-class mutex, and no local caches. Catches double free and use after free later, costs a
   * lock per operation. Default false.
   */
  fifo: boolean;
  /**
   * When the heap can grow no more, gather every free block from the shared stacks and give
   * back the runs whose every carved block is free, so another class can use their pages.
   * Off, the heap is Felker's design exactly: memory carved for a class never serves another.
   * Default true.
   */
  reclaimOnOom: boolean;
  /** Most workers attached at once (each owns a slot with its caches and counters). Default 16. */
  maxWorkers: number;
  /**
   * Safe-linking, as glibc 2.32 does for its tcache and fastbins: the links a free block holds on
   * the shared stacks and FIFO queues are stored as (link address >> 12) XOR next, and every block
   * a refill takes off a list must be a free block of that class whose word 1 names its own meta
   * word — else `corrupted-link`, before anything changes. Stops free-list poisoning by a write
   * after free (the attack matrix); the per-worker caches hold no links in freed blocks. The cost
   * is on refills and flushes only (bench/plans/safe-linking.json). Default false.
   */
  safeLinking: boolean;
}

/** The defaults of every option. */
export const DEFAULT_OPTIONS: Readonly<BumpFreestackOptions> = Object.freeze({
  largestClass: 262144,
  mmapThreshold: 131072,
  dynamicThreshold: true,
  classesPerDoubling: 4,
  runBytes: 16384,
  growBytes: 262144,
  cacheBlocks: 128,
  cacheBytes: 65536,
  fifo: false,
  reclaimOnOom: true,
  maxWorkers: 16,
  safeLinking: false,
});
