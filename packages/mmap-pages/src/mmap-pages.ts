/*
 * mmap-pages: the article's "inefficient malloc" — every block its own page-rounded mapping,
 * its size in a header, munmap on free. The baseline that shows what a real allocator saves.
 *
 * Memory layout of one block (one mapping; base page-aligned):
 *
 *   base                                  ptr                         data end      (guard)
 *   | magic^base | offset | size | pages | …pad… | user bytes … usable … |  [PROT_NONE page]
 *     u32          u32      u32    u32
 *
 *   offset = ptr − base (16 for plain blocks), size = requested bytes, pages = pages mapped
 *   (guard page included); a request above 2^32 − 1 bytes gets 0. With `guardPage`, the block is pushed against the guard page
 *   (right-aligned to 16), electric-fence style, so an overflow past the rounded size faults.
 *
 * Invariants: a live block's header sits at the start of its first page, owned by this
 * allocator, and reads magic^base; ptr = base + offset is 16-aligned (or as memalign asked);
 * usable = data end − ptr ≥ size; liveBlocks = number of such headers in the allocator's pages.
 *
 * Misuse: free/realloc/usableSize of a pointer without a valid header is `invalid-free`, or
 * `double-free` when the pointer is among the last `freeHistory` frees and nothing reuses it;
 * a sized free with the wrong size is `size-mismatch`. Not detected: a double free after the
 * address was handed out again (it frees the new block); user bytes forged to look like a header.
 */

import { AllocatorBase, MAP_FIXED_NOREPLACE, PROT_NONE, PROT_READ, PROT_WRITE, HeapCorruption, KernelError, alignUp, hex, type AddressSpace, type BlockInfo, type HeapFigures, type Inspection } from '@heaplab/core';
import { DEFAULT_OPTIONS, type MmapPagesOptions } from './api.js';
import { inspectMmapPages } from './inspect.js';

export const MAGIC = 0x6d6d6170; // 'mmap'
export const HEADER = 16;
/** Largest request: the header keeps the requested size in one 32-bit word. */
const MAX_SIZE = 0xffffffff;
const RW = PROT_READ | PROT_WRITE;

export class MmapPagesAllocator extends AllocatorBase {
  readonly options: Readonly<MmapPagesOptions>;
  private readonly ps: number;
  private readonly recent: Float64Array;
  /** Usable size of each block in `recent`, at the same index. */
  private readonly recentUsable: Float64Array;
  private recentAt = 0;
  private liveBlocks = 0;
  private liveBytes = 0;
  private usableBytes = 0;

  constructor(space: AddressSpace, options: Partial<MmapPagesOptions> = {}) {
    const o = { ...DEFAULT_OPTIONS, ...options };
    if (typeof o.guardPage !== 'boolean') throw new TypeError(`mmap-pages: option guardPage must be a boolean, got ${String(o.guardPage)}`);
    if (!Number.isInteger(o.freeHistory) || o.freeHistory < 0) throw new TypeError(`mmap-pages: option freeHistory must be a non-negative integer, got ${String(o.freeHistory)}`);
    super(space, {
      name: 'mmap-pages',
      family: 'page-per-block',
      parameters: { ...o },
      description: 'every block its own page-rounded mapping with a size header; munmap on free',
    });
    this.options = Object.freeze(o);
    this.ps = space.pageSize;
    this.recent = new Float64Array(o.freeHistory);
    this.recentUsable = new Float64Array(o.freeHistory);
  }

  // ------------------------------------------------------------------ mapping

  private map(bytes: number): number {
    try {
      return this.space.mmap(0, bytes, RW, 0, this.identity);
    } catch (e) {
      if (e instanceof KernelError && e.code === 'ENOMEM') return 0;
      throw e;
    }
  }

  private writeHeader(base: number, offset: number, size: number, pages: number): void {
    const m = this.space.raw;
    m.setU32(base, (MAGIC ^ base) >>> 0);
    m.setU32(base + 4, offset);
    m.setU32(base + 8, size);
    m.setU32(base + 12, pages);
  }

  /** Data end of a block: base + pages mapped, less the guard page. */
  private dataEnd(base: number, pages: number): number {
    return base + (pages - (this.options.guardPage ? 1 : 0)) * this.ps;
  }

  protected allocate(size: number, align: number): number {
    const ps = this.ps;
    const guard = this.options.guardPage ? 1 : 0;
    if (size > MAX_SIZE) return 0; // the header's size word holds 32 bits
    if (align <= 16) {
      const r16 = alignUp(size, 16);
      const dataPages = Math.ceil((HEADER + r16) / ps);
      const pages = dataPages + guard;
      if (pages * ps > this.space.size) return 0;
      const base = this.map(pages * ps);
      if (base === 0) return 0;
      if (guard) this.space.mprotect(base + dataPages * ps, ps, PROT_NONE);
      const ptr = guard ? base + dataPages * ps - r16 : base + HEADER;
      this.writeHeader(base, ptr - base, size, pages);
      this.account(1, size, base + dataPages * ps - ptr);
      return ptr;
    }
    // Aligned: over-map, then give back the pages before the header's page and after the data.
    const span = align + HEADER + size;
    if (span + (guard + 1) * ps > this.space.size) return 0;
    const raw = this.map(span + ps);
    if (raw === 0) return 0;
    const ptr = alignUp(raw + HEADER, align);
    const base = Math.floor((ptr - HEADER) / ps) * ps;
    const dataPages = Math.ceil((ptr + Math.max(size, 1) - base) / ps);
    const rawEnd = raw + Math.ceil((span + ps) / ps) * ps;
    if (base > raw) this.space.munmap(raw, base - raw);
    const keepEnd = base + (dataPages + guard) * ps;
    if (keepEnd < rawEnd) this.space.munmap(keepEnd, rawEnd - keepEnd);
    else if (keepEnd > rawEnd) {
      // The guard page did not fit in what was mapped: map it right after, or give up.
      try {
        this.space.mmap(rawEnd, keepEnd - rawEnd, RW, MAP_FIXED_NOREPLACE, this.identity);
      } catch {
        this.space.munmap(base, rawEnd - base);
        return 0;
      }
    }
    if (guard) this.space.mprotect(base + dataPages * ps, ps, PROT_NONE);
    this.writeHeader(base, ptr - base, size, dataPages + guard);
    this.account(1, size, base + dataPages * ps - ptr);
    return ptr;
  }

  protected override allocateZeroed(size: number): number {
    return this.allocate(size, 16); // fresh mappings read as zero
  }

  private account(blocks: number, bytes: number, usable: number): void {
    this.liveBlocks += blocks;
    this.liveBytes += bytes;
    this.usableBytes += usable;
  }

  // ------------------------------------------------------------------ lookup

  /** Base of the live block whose user pointer is ptr, or −1. */
  private baseOf(ptr: number): number {
    if (ptr % 16 !== 0 || ptr < HEADER || ptr >= this.space.size) return -1;
    const m = this.space.raw;
    // Fast path: a plain block, header right before ptr at a page start.
    const b = ptr - HEADER;
    if (b % this.ps === 0 && this.owns(b) && this.space.protAt(b) & PROT_READ && m.u32(b) === ((MAGIC ^ b) >>> 0) && m.u32(b + 4) === HEADER) return b;
    const base = this.headerBelow(ptr - 1);
    return base >= 0 && base + m.u32(base + 4) === ptr ? base : -1;
  }

  /** Walks down from the page holding addr to the nearest page of ours that starts with a header, or −1. */
  private headerBelow(addr: number): number {
    const m = this.space.raw;
    for (let p = Math.floor(addr / this.ps); p > 0; p--) {
      const a = p * this.ps;
      if (!this.owns(a)) return -1;
      if (this.space.protAt(a) & PROT_READ && m.u32(a) === ((MAGIC ^ a) >>> 0)) return a;
    }
    return -1;
  }

  private wasRecentlyFreed(ptr: number): boolean {
    return this.recent.includes(ptr);
  }

  /**
   * The freed block holding addr, for objectSize's use-after-free: one of the last `freeHistory`
   * frees (their pointers and usable sizes are remembered) whose pages are still unmapped; once
   * anything maps that address again, or the history has moved on, the allocator cannot tell.
   */
  protected override freedBlockAt(addr: number): BlockInfo | null {
    if (!(Number.isInteger(addr) && addr > 0 && addr < this.space.size) || this.space.protAt(addr) !== -1) return null;
    const recent = this.recent;
    for (let k = 0; k < recent.length; k++) {
      const p = recent[k]!;
      const size = this.recentUsable[k]!;
      if (p !== 0 && addr >= p && (addr < p + size || addr === p)) return { base: p, size };
    }
    return null;
  }

  private requireBase(ptr: number, what: string): number {
    const base = this.baseOf(ptr);
    if (base >= 0) return base;
    if (this.wasRecentlyFreed(ptr)) this.misuse('double-free', `${what} of ${hex(ptr)}, which was already freed`, ptr);
    this.misuse('invalid-free', `${what} of ${hex(ptr)}, which is not a block of this allocator`, ptr);
  }

  protected usable(ptr: number): number {
    const base = this.requireBase(ptr, 'usableSize');
    return this.dataEnd(base, this.space.raw.u32(base + 12)) - ptr;
  }

  /** What this allocator keeps at `addr` (inspect.ts). */
  inspect(addr: number, brief = false): Inspection | undefined {
    return inspectMmapPages(this, addr, brief);
  }

  blockAt(addr: number): BlockInfo | null {
    if (!(Number.isInteger(addr) && addr > 0 && addr < this.space.size)) return null;
    for (const a of this.space.protAt(addr) === PROT_NONE ? [addr - 1] : [addr, addr - 1]) {
      const base = this.headerBelow(a);
      if (base < 0) continue;
      const m = this.space.raw;
      const ptr = base + m.u32(base + 4);
      const end = this.dataEnd(base, m.u32(base + 12));
      if (ptr <= addr && (addr < end || (addr === ptr && end === ptr))) return { base: ptr, size: end - ptr };
    }
    return null;
  }

  // ------------------------------------------------------------------ free and resize

  protected release(ptr: number, size: number | undefined): void {
    const base = this.requireBase(ptr, 'free');
    const m = this.space.raw;
    const requested = m.u32(base + 8);
    if (size !== undefined && size !== requested) this.misuse('size-mismatch', `free_sized(${hex(ptr)}, ${size}) of a block of ${requested} bytes`, ptr);
    const pages = m.u32(base + 12);
    const usable = this.dataEnd(base, pages) - ptr;
    this.account(-1, -requested, -usable);
    this.space.munmap(base, pages * this.ps);
    if (this.recent.length > 0) {
      this.recent[this.recentAt] = ptr;
      this.recentUsable[this.recentAt] = usable;
      this.recentAt = (this.recentAt + 1) % this.recent.length;
    }
  }

  protected override resizeInPlace(ptr: number, size: number): number {
    const base = this.baseOf(ptr);
    const m = this.space.raw;
    const pages = m.u32(base + 12);
    const old = m.u32(base + 8);
    const end = this.dataEnd(base, pages);
    if (ptr + size <= end) {
      // Fits: shrink the mapping's tail when whole pages are no longer needed (plain blocks only).
      let newPages = pages;
      if (!this.options.guardPage) {
        newPages = Math.ceil((ptr - base + Math.max(size, 1)) / this.ps);
        if (newPages < pages) this.space.munmap(base + newPages * this.ps, (pages - newPages) * this.ps);
      }
      m.setU32(base + 8, size);
      m.setU32(base + 12, newPages);
      this.account(0, size - old, this.dataEnd(base, newPages) - end);
      return ptr;
    }
    if (this.options.guardPage || size > MAX_SIZE) return 0;
    // Remap: grow the mapping in place when the pages above are free.
    const newPages = Math.ceil((ptr - base + size) / this.ps);
    try {
      this.space.mmap(base + pages * this.ps, (newPages - pages) * this.ps, RW, MAP_FIXED_NOREPLACE, this.identity);
    } catch (e) {
      if (e instanceof KernelError) return 0; // EEXIST or ENOMEM: move by copy
      throw e;
    }
    m.setU32(base + 8, size);
    m.setU32(base + 12, newPages);
    this.account(0, size - old, this.dataEnd(base, newPages) - end);
    return ptr;
  }

  // ------------------------------------------------------------------ figures and check

  protected figures(): HeapFigures {
    // Outside the space: only the free history (pointers and usable sizes); headers are in the blocks' pages.
    return { liveBlocks: this.liveBlocks, liveBytes: this.liveBytes, usableBytes: this.usableBytes, metadataBytes: HEADER * this.liveBlocks, externalBytes: this.recent.byteLength + this.recentUsable.byteLength };
  }

  check(): void {
    const mem = this.space.raw;
    let blocks = 0;
    let bytes = 0;
    let usable = 0;
    for (const m of this.space.mappings()) {
      if (m.owner !== this.ownerIndex || m.prot === PROT_NONE) continue;
      for (let a = m.start; a < m.end; a += this.ps) {
        if (mem.u32(a) !== ((MAGIC ^ a) >>> 0)) continue;
        const offset = mem.u32(a + 4);
        const size = mem.u32(a + 8);
        const pages = mem.u32(a + 12);
        const ptr = a + offset;
        const end = this.dataEnd(a, pages);
        const bad = (what: string): never => {
          throw new HeapCorruption(this.identity.label, `block at ${hex(ptr)} (header ${hex(a)}): ${what}`);
        };
        if (offset < HEADER || offset % 16 !== 0) bad(`offset ${offset} is not a 16-aligned offset ≥ 16`);
        if (ptr + size > end) bad(`size ${size} runs past the data end ${hex(end)}`);
        if (!this.space.accessible(a, end - a, RW)) bad('its data pages are not all mapped writable');
        if (this.options.guardPage && this.space.protAt(end) !== PROT_NONE) bad(`no guard page at ${hex(end)}`);
        blocks++;
        bytes += size;
        usable += end - ptr;
      }
    }
    if (blocks !== this.liveBlocks) throw new HeapCorruption(this.identity.label, `${blocks} block headers found, ${this.liveBlocks} blocks live`);
    if (bytes !== this.liveBytes || usable !== this.usableBytes) {
      throw new HeapCorruption(this.identity.label, `headers add up to ${bytes} requested / ${usable} usable bytes, the counters say ${this.liveBytes} / ${this.usableBytes}`);
    }
  }
}

/** Makes an mmap-pages allocator over a space. */
export function createMmapPagesAllocator(space: AddressSpace, options: Partial<MmapPagesOptions> = {}): MmapPagesAllocator {
  return new MmapPagesAllocator(space, options);
}
