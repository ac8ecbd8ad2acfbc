/*
 * Memory layout of the dlmalloc-style heap: chunks, the allocator's state page, bins.
 *
 * A chunk (c is 16-aligned; sizes are multiples of 16, at least 16):
 *
 *   in use                                    free (in a bin, the victim or the top)
 *   c+0   prev_foot: size of the previous     c+0   prev_foot (as left)
 *         chunk when it is free, else the
 *         previous chunk's canary
 *   c+4   head: size | PINUSE | CINUSE        c+4   head: size | PINUSE          (CINUSE clear)
 *         [| MMAPPED] [| TCACHED]
 *   c+8   requested size (bytes)              c+8   fd: next chunk in the bin
 *   c+12  c ^ MAGIC (mmapped chunks only)     c+12  bk: previous chunk in the bin (offsets, below)
 *   c+16  user bytes … (usable = size − 16)   c+16  … stale bytes …
 *   c+size  next chunk; its prev_foot holds   c+size  next chunk; its prev_foot = size (the footer)
 *           the canary (c − wb) ^ secret (heap chunks)
 *
 * An mmapped chunk sits `pad` bytes into its own mapping m (pad < page, 0 unless memalign), so
 * m = c − c mod page; head = (mapping end − c) | PINUSE | CINUSE | MMAPPED; m+0 = pad when pad > 0.
 * Its prev_foot is not used, so a one-byte overflow from the mapping below harms nothing.
 *
 * The state page (one mmap made at construction, before any chunk), at byte offsets:
 *   0     u32 × 4   unused (an overflow past an mmapped chunk just below lands here harmlessly)
 *   16    u32 × 12  words: top, top size, victim, victim size, heap base, rover, thresholds …
 *   64    u32 × 8   bin bitmap: bit i set ⇔ bin i is not empty
 *   128   f64 × 8   unused (the counters are fields of the allocator object, allocator.ts)
 *   256   u32 × 2 × NBINS  bin heads: fd, bk of each bin's circular list (the bin acts as a
 *                  fake chunk whose fd/bk words sit at fake+8 / fake+12)
 *   2304  u32 × 64  tcache heads (singly linked through c+8), one per small size / 16
 *   2560  u32 × 64  tcache counts
 *   2816  u32 × 256 first fit only: the lowest-address index (lowest.ts), a tournament tree of
 *                  the bins' first chunks; node k (1 … 255) at 2816 + 4·k
 *   4096  chunk-start bitmap: one bit per 16 bytes of [start_brk, space end); bit set ⇔ a chunk
 *         (in use, free, victim or top) starts there
 *
 * Bins: sizes below 1024 have exact bins (index = size / 16, 1 … 63); larger sizes have eight
 * bins per power of two (index 64 + 8·(log2 size − 10) + next three bits), up to 2^32 (index 239).
 *
 * Addresses in 32-bit words: every in-band word that names an address (fd, bk, tcache heads and
 * links, the state words top, victim, heap base, rover, first fit's index) holds address − wb,
 * the offset from the allocator's window base (allocator.ts), read back as wb + word. In a space
 * of at most 4 GiB wb = 0 and the word is the address itself. In a larger (paged) space the
 * window is the 4 GiB from a page below the break: the state mapping is placed at its top
 * (MAP_FIXED_NOREPLACE), so the heap, which that mapping caps, and the bin heads are inside it,
 * and every chunk size (a 32-bit word) stays below 4 GiB. Canaries mix the offset:
 * ((c − wb) ^ secret) >>> 0; safe-linking mangles the 32-bit stored form, ((off + 8) >> 12) ^
 * next offset, so all link arithmetic is on numbers below 2^32 and exact. Mmapped chunks, which
 * may lie anywhere (near 2^47), hold no address words: their magic mixes c mod 2^32.
 * All access goes through the space's RawMemory (`m.u32(a)`, `m.setU32(a, v)`, `m.f64` …).
 */

/** Head bits. */
export const PINUSE = 1;
export const CINUSE = 2;
export const MMAPPED = 4;
/** The chunk is in use as far as the heap is concerned but parked in the tcache (best fit). */
export const TCACHED = 8;
export const FLAGS = 15;

/** Chunk header bytes before the user pointer; also the smallest chunk. */
export const HEADER = 16;
export const MIN_CHUNK = 16;
/** Checks the header of mmapped chunks (mixed with the chunk's address). */
export const MAGIC = 0x646c6d6d; // 'dlmm'
/** Mixed with the state page's address into the per-instance canary secret. */
export const CANARY = 0x5a17c0de;

/** Requests at least this large always go to mmap, whatever the threshold (keeps sizes in u32 arithmetic). */
export const MAX_HEAP_REQUEST = 2 ** 30;
/** glibc's DEFAULT_MMAP_THRESHOLD_MIN and _MAX (64-bit). */
export const MMAP_THRESHOLD_MIN = 128 * 1024;
export const MMAP_THRESHOLD_MAX = 32 * 1024 * 1024;
export const TRIM_THRESHOLD_DEFAULT = 128 * 1024;

/** Largest small-bin chunk size + 16. */
export const SMALL_LIMIT = 1024;
export const NBINS = 240;
export const BITMAP_WORDS = 8;

/** Word offsets (u32, from the state base) of the state words (tests of flat spaces read them through space.u32). */
export const W = {
  top: 4,
  topSize: 5,
  dv: 6,
  dvSize: 7,
  heapBase: 8,
  rover: 9,
  mmapThreshold: 10,
  trimThreshold: 11,
  dynamic: 12,
  binBitmap: 16,
} as const;

/** Byte offsets (from the state base) of the state words, for `m.u32(stateBase + S_TOP)`. */
export const S_TOP = 4 * W.top;
export const S_TOP_SIZE = 4 * W.topSize;
export const S_DV = 4 * W.dv;
export const S_DV_SIZE = 4 * W.dvSize;
export const S_HEAP_BASE = 4 * W.heapBase;
export const S_ROVER = 4 * W.rover;
export const S_MMAP_THRESHOLD = 4 * W.mmapThreshold;
export const S_TRIM_THRESHOLD = 4 * W.trimThreshold;
export const S_DYNAMIC = 4 * W.dynamic;
export const S_BIN_BITMAP = 4 * W.binBitmap;

/** f64 offsets (from the state base / 8) of the counters. */
export const F = {
  liveBlocks: 16,
  liveBytes: 17,
  usableBytes: 18,
  mmappedChunks: 19,
  mmappedBytes: 20,
} as const;

/** Byte offsets (from the state base) of the counters, for `m.f64(stateBase + S_LIVE_BLOCKS)`. */
export const S_LIVE_BLOCKS = 8 * F.liveBlocks;
export const S_LIVE_BYTES = 8 * F.liveBytes;
export const S_USABLE_BYTES = 8 * F.usableBytes;
export const S_MMAPPED_CHUNKS = 8 * F.mmappedChunks;
export const S_MMAPPED_BYTES = 8 * F.mmappedBytes;

/** 2^32: in-band words hold addresses as offsets below it from the allocator's window base. */
export const TWO32 = 4294967296;

/** Byte offset of the bin heads in the state page. */
export const BINS_OFFSET = 256;
/** Byte offsets of the tcache heads and counts (64 words each, index = chunk size / 16). */
export const TCACHE_OFFSET = 2304;
export const TCACHE_COUNTS = 2560;
/** Byte offset of first fit's lowest-address index (256 u32 nodes, lowest.ts). */
export const LOWEST_OFFSET = 2816;
/** Byte offset of the chunk-start bitmap. */
export const STARTS_OFFSET = 4096;

/** Chunk size for a request: header added, rounded to 16 (size < 2^30). */
export function chunkSize(size: number): number {
  return (size + HEADER + 15) & ~15;
}

/** Bin index of a free chunk of size s (a multiple of 16, 16 ≤ s < 2^32). */
export function binIndex(s: number): number {
  if (s < SMALL_LIMIT) return s >>> 4;
  const k = 31 - Math.clz32(s);
  return 64 + ((k - 10) << 3) + ((s >>> (k - 3)) & 7);
}

/** Smallest chunk size that falls in bin i (for the README and tests). */
export function binFloor(i: number): number {
  if (i < 64) return i << 4;
  const k = ((i - 64) >>> 3) + 10;
  return 2 ** k + (i & 7) * 2 ** (k - 3);
}
