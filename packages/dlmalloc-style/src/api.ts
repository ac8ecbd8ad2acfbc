/*
 * Options of the dlmalloc-style allocator: types, TSDoc and defaults only. Validation and the
 * resolved (numeric) form live in options.ts.
 *
 * The defaults are glibc's: mmap threshold 128 KiB and dynamic (freeing an mmapped chunk raises
 * it to that chunk's size, up to 32 MiB, and sets the trim threshold to twice it), trim threshold
 * 128 KiB, top pad 128 KiB. Giving a number for `mmapThreshold` or `trimThreshold` turns the
 * dynamic rule off, as either `mallopt` call does in glibc.
 */

/** Where a request is placed among the free chunks that fit. */
export type PlacementPolicy = 'best-fit' | 'first-fit' | 'next-fit';

/** Options of `createDlmallocAllocator`. */
export interface DlmallocOptions {
  /**
   * Placement policy.
   * - `best-fit` (dlmalloc's): an exact small bin, else the designated victim for small requests,
   *   else the smallest chunk that fits (size-sorted large bins), else the top chunk.
   * - `first-fit`: the lowest-addressed free chunk that fits (bins kept in address order; no
   *   designated victim), else the top chunk.
   * - `next-fit`: the first free chunk that fits at or after a roving pointer (where the last
   *   search ended), wrapping around; else the top chunk.
   * Default `best-fit`.
   */
  policy: PlacementPolicy;
  /**
   * Requests of this many bytes or more get their own mmap and are munmapped on free.
   * `'dynamic'`: start at 128 KiB and, as glibc does, raise it to the size of any mmapped chunk
   * freed above it (up to 32 MiB), setting the trim threshold to twice that. A number fixes the
   * threshold (0 … 2^30) and turns the dynamic rule off (mallopt M_MMAP_THRESHOLD). Default `'dynamic'`.
   */
  mmapThreshold: number | 'dynamic';
  /**
   * The heap is trimmed (the break moved down) when the free top chunk reaches this many bytes.
   * `'dynamic'`: 128 KiB, then twice the mmap threshold each time the dynamic rule raises it.
   * A number fixes it (0 … 2^32 − 1) and turns the dynamic rule off (mallopt M_TRIM_THRESHOLD).
   * Default `'dynamic'`.
   */
  trimThreshold: number | 'dynamic';
  /**
   * Extra bytes asked of sbrk beyond each need, and kept at the top when trimming (mallopt
   * M_TOP_PAD). Unwritten pages cost no resident memory. 0 … 2^30. Default 131072 (128 KiB).
   */
  topPad: number;
  /**
   * Best fit only: how many freed chunks of each small size (below 1 KiB) are parked, still marked
   * in use and not coalesced, in a per-size LIFO list the next request of that size pops — glibc's
   * tcache. It saves the coalescing and bin work on the commonest requests. 0 … 255; 0 turns it
   * off. First fit and next fit never use it (every request is placed by their rule). Default 7.
   */
  tcache: number;
  /**
   * When freeing makes a free chunk (or top) of at least this many bytes, the whole pages inside
   * the part just freed are given back with madvise(DONTNEED), as jemalloc purges dirty pages and
   * glibc's malloc_trim does: they stop being resident and read as zero when reused. 0 turns it
   * off (dlmalloc and glibc's main arena keep freed pages resident until the top is trimmed).
   * Default 65536 (64 KiB).
   */
  releaseThreshold: number;
  /**
   * How many recently munmapped block addresses to remember, so a second free of a large block
   * is reported as `double-free` rather than `invalid-free`. 0 … 65536. Default 64.
   */
  unmapHistory: number;
  /**
   * Safe-linking, as glibc does: the tcache's links (chunk + 8) are stored as (link address >> 12)
   * XOR next (glibc 2.32's PROTECT_PTR) and a popped link must name a parked chunk of the list's
   * size inside the heap; and a chunk taken out of a bin must have neighbours that point back at
   * it (glibc's "corrupted double-linked list" check) — else `corrupted-link`, before anything
   * changes. Stops free-list poisoning and unsafe unlink through forged links (the attack
   * matrix); the cost is in bench/plans/safe-linking.json's record. In a space above 4 GiB the
   * addresses are the 32-bit offsets from the allocator's window base that links hold (layout.ts),
   * so the mangling stays exact arithmetic. Default false.
   */
  safeLinking: boolean;
}

export const DEFAULT_OPTIONS: Readonly<DlmallocOptions> = Object.freeze({
  policy: 'best-fit',
  mmapThreshold: 'dynamic',
  trimThreshold: 'dynamic',
  topPad: 128 * 1024,
  tcache: 7,
  releaseThreshold: 64 * 1024,
  unmapHistory: 64,
  safeLinking: false,
});
