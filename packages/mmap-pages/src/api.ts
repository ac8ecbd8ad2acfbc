/*
 * Options of the mmap-pages allocator. Types and defaults only.
 */

/** Options of `createMmapPagesAllocator`. */
export interface MmapPagesOptions {
  /**
   * Map one PROT_NONE page after each block and push the block against it (right-aligned to 16),
   * so reading or writing past the rounded-up size faults. Costs one more page of address space
   * (not of memory) per block. Default false.
   */
  guardPage: boolean;
  /**
   * How many recent frees to remember, to tell a double free (`double-free`) from a free of
   * something never allocated (`invalid-free`). 0 reports every bad free as `invalid-free`.
   * Default 1024.
   */
  freeHistory: number;
}

export const DEFAULT_OPTIONS: Readonly<MmapPagesOptions> = Object.freeze({
  guardPage: false,
  freeHistory: 1024,
});
