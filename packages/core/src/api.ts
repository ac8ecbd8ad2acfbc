/*
 * Types and options of @heaplab/core: the address space's options and figures, the allocator
 * contract, identities. Types only; behaviour lives in the other files.
 *
 * Glossary (one word, one meaning, across every package):
 * - address: a byte offset into the space, 0 … size − 1 (below 2^47); 0 is NULL. In a flat space
 *   (≤ 4 GiB) it is also an offset into the buffer; in a paged one it is virtual.
 * - frame: a page of physical memory of a paged space, numbered by pfn.
 * - page: the space's unit of mapping and protection (4 KiB by default, 64 KiB as a wasm option).
 * - mapping: a run of pages made by one `mmap` (or the heap segment), with one protection and one owner.
 * - heap segment: the pages from `start_brk` up to the program break, grown and shrunk with brk/sbrk.
 * - resident page: a page that has been written since it was mapped (it would cost RAM on Linux).
 * - committed page: a mapped page that is writable (it may become resident without another call).
 * - block: what malloc hands out: base pointer, usable size ≥ requested size.
 * - chunk: a block plus its in-band metadata (boundary tags) in a dlmalloc-style heap.
 * - size class: a request size rounded up to one of a computed list of sizes; all blocks of a class
 *   have the same usable size.
 * - slab: a run of pages cut into equal slots of one size class.
 * - slot: one block-sized cell of a slab.
 * - zone: the address range reserved for one size class (zoned-classes).
 * - span: a contiguous run of pages an allocator manages as one unit (a large block, a slab).
 * - owner: the identity of the allocator or wrapper that asked for a page.
 */

import type { AddressSpace } from './space/address-space.js';

/** Page protection bits, as Linux's PROT_*. */
export const PROT_NONE = 0;
export const PROT_READ = 1;
export const PROT_WRITE = 2;
export const PROT_EXEC = 4;

/** mmap flags, as Linux's values. Anonymous private mappings are implied. */
export const MAP_FIXED = 0x10;
export const MAP_FIXED_NOREPLACE = 0x100000;

/** madvise advice: only DONTNEED is simulated (pages read as zero again and stop being resident). */
export const MADV_DONTNEED = 4;

/**
 * The part of a `WebAssembly.Memory` the space uses (Node's type definitions do not declare the
 * WebAssembly namespace, so the space names only what it needs; a real Memory satisfies it).
 */
export interface WasmMemory {
  readonly buffer: ArrayBuffer | SharedArrayBuffer;
  grow(delta: number): number;
}

/** What backs the space's memory. */
export type Backing = 'array' | 'shared' | 'wasm';

/** Options of `createAddressSpace`. */
export interface SpaceOptions {
  /**
   * Size of the space in bytes, a multiple of the page size, at most 2^47 (128 TiB, a Linux
   * x86-64 process's user space). Default 4 GiB. Up to 4 GiB (without `physical`) the space is
   * flat: an address is an offset into one buffer. Above, it is paged: sparse page tables map
   * virtual pages to frames of physical memory, so it costs what it touches (core README,
   * "64-bit and paged spaces"); a paged space takes only `backing: 'array'`.
   */
  size: number;
  /** Page size: 4096 or 65536 (wasm pages). Default 4096. */
  pageSize: number;
  /**
   * The backing buffer: `array` (ArrayBuffer), `shared` (SharedArrayBuffer, workers attach with
   * `attachAddressSpace`), `wasm` (a WebAssembly.Memory). Default `array`.
   */
  backing: Backing;
  /** With `backing: 'wasm'`: use this memory instead of making one. It is grown to `size`. Default none. */
  memory?: WasmMemory;
  /**
   * Bytes of physical memory (RAM) under the space, a multiple of the page size, 16 pages to
   * 4 GiB. Setting it makes the space paged at any size, with strict commit accounting (writable
   * mappings and brk growth beyond the frames fail with ENOMEM at mmap/brk time) and a direct map
   * of every frame at the top of the space (`space.directMapBase`) for kernel allocators
   * (`takeFrames`, `returnFrames`, `mapFrames`). Default none: a paged space then has up to 4 GiB
   * of frames, taken at first touch, and no direct map.
   */
  physical?: number;
}

/** Physical memory figures of a paged space (`SpaceStats.frames`). Counts are frames (pages). */
export interface FrameStats {
  /** Frames of physical memory. */
  total: number;
  /** Frames in use: held by pages plus taken by kernel allocators. */
  inUse: number;
  /** Free frames (total − inUse). */
  free: number;
  /** Frames taken with `takeFrames` (kernel allocators). */
  taken: number;
  /** Pages charged by commit accounting (writable pages, and read-only pages holding a frame). */
  charged: number;
  /** Free blocks per order 0 … maxOrder, as a line of /proc/buddyinfo. */
  freePerOrder: number[];
  /** The largest order a free block has (−1: none free). */
  largestFreeOrder: number;
  /** Bytes of the page tables and frame lists, held in JavaScript outside the space. */
  tableBytes: number;
}

/** Figures of the space, as now and as peaks since creation. Bytes unless named otherwise. */
export interface SpaceStats {
  /** Bytes in mapped pages (heap segment included). */
  mapped: number;
  /** Bytes in mapped pages that are writable. */
  committed: number;
  /** Bytes in resident pages (see the residency method in the core README). */
  resident: number;
  peakMapped: number;
  peakCommitted: number;
  peakResident: number;
  /** The program break and where the heap segment starts. */
  brk: number;
  startBrk: number;
  /** Calls made on the space, by kind. */
  calls: { brk: number; mmap: number; munmap: number; mprotect: number; madvise: number };
  /** Physical memory of a paged space (absent for a flat space). */
  frames?: FrameStats;
}

/** One line of `maps()`: a run of pages with one protection and one owner. */
export interface Mapping {
  start: number;
  /** Exclusive end. */
  end: number;
  prot: number;
  /** True for the heap segment. */
  heap: boolean;
  /** Index of the owner in the space's owner table (0: none). */
  owner: number;
  /** The owner's label, or '' when none. */
  ownerName: string;
}

/** The run-time identity of an allocator or wrapper instance. */
export interface Identity {
  /** Unique in this process, in creation order. */
  readonly id: number;
  /** Registry name, e.g. `dlmalloc-style`, `checking`. */
  readonly name: string;
  /** Family: `allocator` or `wrapper`, or a design family such as `segregated-fit`. */
  readonly family: string;
  /** The parameters the instance was made with, after defaults. */
  readonly parameters: Readonly<Record<string, unknown>>;
  /** One sentence on what it is. */
  readonly description: string;
  /** The wrapper or allocator this one sits under, if any (set when wrapped). */
  parent: Identity | null;
  /** `name#id`: how maps() and messages name it. */
  readonly label: string;
}

/** `blockAt` answer: the live block containing an address. `size` is its usable size. */
export interface BlockInfo {
  base: number;
  size: number;
}

/** Calls counted by every allocator. */
export interface CallCounts {
  malloc: number;
  calloc: number;
  realloc: number;
  memalign: number;
  free: number;
}

/** `stats()` of an allocator. */
export interface AllocatorStats {
  /** Live blocks. */
  liveBlocks: number;
  /** Sum of the requested sizes of live blocks. */
  liveBytes: number;
  /** Sum of the usable sizes of live blocks. */
  usableBytes: number;
  /** Bytes the allocator spends on its own metadata (headers, tables, bitmaps). */
  metadataBytes: number;
  /**
   * Bytes of the allocator's state held outside the address space, in JavaScript objects (typed
   * arrays, arrays, Maps, Sets): an estimate of what they take on the JavaScript heap, counted as
   * a typed array's `byteLength`, 8 bytes per element of a plain array and about 40 bytes per
   * entry of a Map or Set, each sized at its current capacity. The space's figures (resident
   * pages, so M1–M4) cannot see these bytes; this is how an allocator declares them, so the
   * replay tables can show them beside M4. Fixed-size fields of the allocator object itself are
   * not counted. 0 when every structure lives in the space; wrappers add their own to the inner
   * allocator's.
   */
  externalBytes: number;
  /**
   * Conditions the allocator reports in words, such as which size class's zone ran out and how
   * large the zone was; absent or empty when there is nothing to say. The replay keeps the last.
   */
  diagnostics?: string[];
  /** Calls made, by kind. */
  calls: CallCounts;
  /** Requests that returned 0 (out of memory or too large), all kinds together. */
  failures: number;
}

/**
 * What an allocator keeps at an address, as `inspect` tells it. `live` a live block's bytes,
 * `free` a free chunk or slot, `quarantine` a freed block held back from reuse, `header` in-band
 * metadata next to a block (boundary tags, a size header), `canary` a canary's bytes, `guard` a
 * PROT_NONE guard page or slab, `metadata` out-of-band tables, `slack` bytes past a block's
 * requested size or a page's tail no block uses, `unused` memory the allocator owns and has not
 * handed out yet (the top chunk, a bump region, a slab's never-used slots), `reserved` address
 * space reserved but not made accessible.
 */
export type InspectionKind = 'live' | 'free' | 'quarantine' | 'header' | 'canary' | 'guard' | 'metadata' | 'slack' | 'unused' | 'reserved';

/**
 * `inspect` answer. `start`/`size` bound the run of bytes of one kind containing the address (a
 * header, a block's usable bytes, a guard page), so a caller walks a range by asking again at
 * `start + size`. `block` is the block or chunk the run belongs to, when one does. `details` are
 * the allocator's own words, labelled, in the order to show them (the bin a free chunk sits in,
 * the slab and slot, the size class and its free stack). `chain` lists, leaf first, the labels of
 * the allocator that answered and of each wrapper the question passed through.
 */
export interface Inspection {
  kind: InspectionKind;
  start: number;
  size: number;
  block: BlockInfo | null;
  details: ReadonlyArray<readonly [label: string, value: string]>;
  chain: readonly string[];
}

/** The allocator contract. Pointers are byte addresses in `space`; 0 is NULL. */
export interface Allocator {
  readonly identity: Identity;
  readonly space: AddressSpace;
  /** A block of at least `size` bytes aligned to 16, or 0 when out of memory. `malloc(0)` is a unique non-NULL pointer. */
  malloc(size: number): number;
  /** Frees `ptr` (0: nothing). `size`, when given, must be the requested size (C23 `free_sized`). */
  free(ptr: number, size?: number): void;
  /** A zeroed block of `n × size` bytes, or 0 (also when the product overflows 2^53). */
  calloc(n: number, size: number): number;
  /**
   * Resizes keeping the prefix; `realloc(0, n)` is malloc, `realloc(p, 0)` frees and returns 0. On
   * failure returns 0 and `ptr` stays valid. Misuse of `ptr` — whatever `free(ptr)` would raise
   * (invalid-free, double-free, canary-corrupted, …) — is raised before anything changes, in place
   * or not (the misuse case `overflow-small-1-byte-realloc`).
   */
  realloc(ptr: number, size: number): number;
  /** A block aligned to `alignment` (a power of two; at least 16 is used). */
  memalign(alignment: number, size: number): number;
  /** Usable size of the live block starting at `ptr` (0 for NULL). */
  usableSize(ptr: number): number;
  /** The live block containing `addr` (interior addresses too), or null. */
  blockAt(addr: number): BlockInfo | null;
  /**
   * Strict object size (hardened_malloc's `malloc_object_size`): the usable bytes from `ptr` to the
   * end of the live block containing it (`base + size − ptr`; 0 for NULL and at the start of a
   * `malloc(0)` block). Raises `use-after-free` when `ptr` lies in a block the allocator knows it
   * freed (a free slot, a quarantined block, a free chunk), `invalid-free` for any other address
   * outside a live block (past its end, in metadata, unmapped); each allocator's README says which
   * freed blocks it can tell.
   */
  objectSize(ptr: number): number;
  /** True when `addr` lies in memory this allocator manages (live, free or metadata). */
  owns(addr: number): boolean;
  stats(): AllocatorStats;
  /** Walks every structure; throws HeapCorruption naming what is wrong. */
  check(): void;
  /**
   * Optional: what the allocator keeps at `addr` (a live block, a free chunk and its bin, a
   * header, a guard page, …), or undefined when `addr` is not in memory it manages. For
   * explaining a heap (the explorer, `who`); it changes no state and may be slow. With `brief`
   * the caller needs only kind, run and block (a heap map asks thousands of times): lookups that
   * cost more than the answer itself (walking a bin, a quarantine, the caches) may be left out
   * of `details`.
   */
  inspect?(addr: number, brief?: boolean): Inspection | undefined;
}

/** How an allocator is made: from a space and its options. Used by the conformance kit and registry. */
export type AllocatorFactory = (space: AddressSpace) => Allocator;
