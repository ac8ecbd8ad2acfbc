/*
 * The space's header: where the simulated kernel keeps its own state, inside the buffer, so a
 * second worker can attach to the same memory and see the same mappings.
 *
 * Memory layout (byte addresses; the header starts at address 0, so NULL and the first page are
 * never mappable):
 *
 *   0      u32  magic 'HLAS'              4   u32 layout version
 *   8      u32  page size                 12  u32 page count (size / page size)
 *   16     u32  header pages              20  i32 lock word (Atomics)
 *   24     u32  start_brk (byte address)  28  u32 brk (byte address, exact)
 *   32     u32  mmap_base (page index, exclusive top of the mmap area)
 *   36     u32  free-area cache (page index: the next top-down search starts below it)
 *   40     u32  owner count               44  u32 pid shown by maps()
 *   48     u32  backing kind (0 array, 1 shared, 2 wasm)
 *   52     i32  resident page count (Atomics.add from checked stores)
 *   64     f64 × 16 counters (see COUNTER below)
 *   1024   owner table: OWNER_SLOTS × 64 bytes, slot i = [u8 length][utf-8 name ≤ 63 bytes]
 *   FLAGS  u8 × pageCount   page flags (PAGE_* bits)
 *   OWNER  u16 × pageCount  owner index per page (0: none)
 *   BITMAP u32 × ⌈pageCount/32⌉ one bit per page, set when mapped (for the top-down hole search)
 *   … rounded up to a page: that is the header's end and start_brk.
 *
 * Invariants:
 *   flags[p] & MAPPED  ⇔  bitmap bit p set  ⇔  page p is in a mapping or the heap segment
 *   flags[p] & HEAP    ⇒  start_brk ≤ p·pageSize < ⌈brk⌉
 *   counters.mappedPages    = |{p : MAPPED}|,  committedPages = |{p : MAPPED ∧ WRITE}|
 *   resident count          = |{p : RESIDENT}|,  RESIDENT ⇒ MAPPED
 *   flags[p] & START marks the first page of each mmap call's mapping (kept when split).
 *
 * A paged space (paged-kernel.ts) keeps only the fields, counters and owner table (the first
 * 36 KiB: page count 0 marks it) in a small buffer of its own, not in its address space; its
 * page flags, owners and frames live in JavaScript page tables (page-table.ts), and its brk,
 * mmap_base and free-area cache, which pass 2^32, in the kernel object.
 */

export const MAGIC = 0x53414c48; // 'HLAS' little-endian
export const LAYOUT_VERSION = 1;

/** Word indexes (u32 / i32 view) of the header fields. */
export const H = {
  magic: 0,
  version: 1,
  pageSize: 2,
  pageCount: 3,
  headerPages: 4,
  lock: 5,
  startBrk: 6,
  brk: 7,
  mmapBase: 8,
  freeAreaCache: 9,
  ownerCount: 10,
  pid: 11,
  backing: 12,
  residentPages: 13,
} as const;

/** Index (f64 view, starting at byte 64) of each counter. */
export const COUNTER = {
  brk: 8,
  mmap: 9,
  munmap: 10,
  mprotect: 11,
  madvise: 12,
  mappedPages: 13,
  committedPages: 14,
  peakMapped: 15,
  peakCommitted: 16,
  peakResident: 17,
} as const;

export const OWNER_TABLE = 1024;
export const OWNER_SLOT = 64;
export const OWNER_SLOTS = 512;

/** Page flag bits. READ and WRITE sit where PROT_READ and PROT_WRITE would, shifted by one. */
export const PAGE_MAPPED = 1;
export const PAGE_READ = 2;
export const PAGE_WRITE = 4;
export const PAGE_RESIDENT = 8;
export const PAGE_HEAP = 16;
export const PAGE_START = 32;

/** prot (PROT_READ=1, PROT_WRITE=2) → page flag bits. */
export function protToFlags(prot: number): number {
  return (prot & 3) << 1;
}
/** Page flag bits → prot. */
export function flagsToProt(flags: number): number {
  return (flags >>> 1) & 3;
}

export interface Layout {
  pageSize: number;
  pageShift: number;
  pageCount: number;
  flagsOffset: number;
  ownerOffset: number;
  bitmapOffset: number;
  headerBytes: number;
}

function alignUp(n: number, a: number): number {
  return Math.ceil(n / a) * a;
}

/** Where each table sits for a space of `size` bytes and `pageSize` pages. */
export function computeLayout(size: number, pageSize: number): Layout {
  const pageCount = size / pageSize;
  const flagsOffset = alignUp(OWNER_TABLE + OWNER_SLOT * OWNER_SLOTS, 64);
  const ownerOffset = alignUp(flagsOffset + pageCount, 64);
  const bitmapOffset = alignUp(ownerOffset + 2 * pageCount, 64);
  const end = bitmapOffset + 4 * Math.ceil(pageCount / 32);
  const headerBytes = alignUp(end, pageSize);
  return {
    pageSize,
    pageShift: Math.log2(pageSize),
    pageCount,
    flagsOffset,
    ownerOffset,
    bitmapOffset,
    headerBytes,
  };
}
