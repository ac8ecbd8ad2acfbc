/*
 * Options of the kernel allocators (buddy, kmalloc, vmalloc). Types and defaults only.
 *
 * Every allocator takes its page frames from a FrameSource (frame-source.ts): the space's own
 * frames when the space has physical memory, else a pool of its own — a direct-map region it
 * maps in the space, `physicalMib` MiB of "RAM" cut into page frames by a BuddyFrames.
 */

/** Options every kernel allocator shares: where its page frames come from. */
export interface FrameOptions {
  /**
   * Size of the allocator's own physical memory in MiB, used when the space has no frames of its
   * own: a direct-map region of that many MiB is mapped in the space and its pages are the frames.
   * When the space is smaller than four times that, a quarter of the space is used instead (so the
   * allocator fits in a small test space). Default 256.
   */
  physicalMib: number;
  /** Highest order of the own pool's buddy allocator (blocks of up to 2^maxOrder pages; Linux: 10). Default 10. */
  maxOrder: number;
}

/** Options of `createBuddyAllocator`. */
export type BuddyOptions = FrameOptions;

/** Options of `createKmallocAllocator`. */
export interface KmallocOptions extends FrameOptions {
  /**
   * slub_debug=Z: a red zone of 16 bytes after each object, filled with 0xcc while the object is
   * allocated and checked at free (and realloc): a damaged red zone raises `canary-corrupted`
   * before anything changes. Default false.
   */
  redZone: boolean;
  /**
   * slub_debug=P: a freed object is filled with 0x6b (its last byte 0xa5), and the poison is
   * checked when the object is handed out again: a write after free raises `write-after-free`.
   * The free pointer then moves out of the object, into a 16-byte word after it. Default false.
   */
  poison: boolean;
}

/** Options of `createVmallocAllocator`. */
export interface VmallocOptions extends FrameOptions {
  /**
   * Size in MiB of the vmalloc address range (VMALLOC_START … VMALLOC_END), reserved PROT_NONE in
   * the space when the allocator is made; areas are carved out of it. When the space is smaller
   * than twice that, half of the space (less the physical pool) is used. Default 512.
   */
  vmallocMib: number;
}

export const FRAME_DEFAULTS: Readonly<FrameOptions> = Object.freeze({ physicalMib: 256, maxOrder: 10 });
export const BUDDY_DEFAULTS: Readonly<BuddyOptions> = FRAME_DEFAULTS;
export const KMALLOC_DEFAULTS: Readonly<KmallocOptions> = Object.freeze({ ...FRAME_DEFAULTS, redZone: false, poison: false });
export const VMALLOC_DEFAULTS: Readonly<VmallocOptions> = Object.freeze({ ...FRAME_DEFAULTS, vmallocMib: 512 });

/** What a kernel allocator reports on physical memory (its `physical()` method, and the replay's figures). */
export interface PhysicalFigures {
  /** 'space' when the frames are the space's own, 'own-pool' when the allocator mapped its own direct map. */
  source: 'space' | 'own-pool';
  /** Page size in bytes (one frame). */
  pageSize: number;
  totalFrames: number;
  framesInUse: number;
  /** The most frames in use at once. */
  peakFramesInUse: number;
  framesFree: number;
  /** Free blocks per order 0 … maxOrder, as a /proc/buddyinfo line. */
  buddyinfo: number[];
  /** Highest order with a free block, or −1. */
  largestFreeOrder: number;
  /** Unusable free space index per order 0 … maxOrder. */
  unusableIndex: number[];
}
