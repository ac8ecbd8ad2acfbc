/*
 * first-fit: a small custom allocator, the example of "Writing your own allocator" (root
 * README). An address-ordered free list with first fit, split and coalesce, over a heap grown
 * with sbrk. It is registered from heaplab.config.json by module path:
 *
 *   "allocators": { "first-fit": { "module": "./examples/first-fit/first-fit.ts", "growBy": 65536 } }
 *
 * and so appears in `heaplab list`, the benchmarks and `heaplab fuzz`.
 *
 * Memory layout: the heap is [heapStart, top), a run of chunks, each 16-aligned:
 *
 *   chunk c:  +0 u32 size | FREE   chunk bytes (multiple of 16, ≥ 32), bit 0 set when free
 *             +4 u32 requested     (live) the size asked for; (free) the next free chunk, 0 at the end
 *             +8 u32 magic ^ c     tells a chunk header from anything else
 *             +12 u32 0
 *             +16 …                the block: ptr = c + 16, usable = size − 16
 *
 * Invariants (check() walks them): the chunks tile [heapStart, top) exactly; no two free chunks
 * are neighbours (frees coalesce); the free list holds exactly the free chunks, in address
 * order; the counters equal the sums over live chunks.
 * Misuse detected: double free (a FREE header at ptr − 16), invalid free (no header there),
 * size-mismatch on sized free. Not detected: overflows (no canaries), a double free after the
 * chunk was merged into a neighbour. It assumes no other allocator moves the break of its space.
 * Memory is read and written through `space.raw` (never the buffer's views), so the same code runs
 * in a paged 2^47 space; its 32-bit header words hold break addresses, which stay below 4 GiB.
 */

import {
  AllocatorBase, HeapCorruption, KernelError, alignUp, defineAllocator, hex,
  type AddressSpace, type BlockInfo, type HeapFigures,
} from '@heaplab/core';

/** Options of the first-fit allocator. */
export interface FirstFitOptions {
  /** Bytes the heap grows by at least, with each sbrk. Default 65,536. */
  growBy: number;
}

export const DEFAULT_OPTIONS: Readonly<FirstFitOptions> = Object.freeze({ growBy: 65536 });

const MAGIC = 0x66697273; // 'firs'
const FREE = 1;
const HEADER = 16;
const MIN_CHUNK = 32;

export class FirstFitAllocator extends AllocatorBase {
  readonly options: Readonly<FirstFitOptions>;
  private heapStart = 0;
  private top = 0;
  private head = 0; // first free chunk, 0 when none
  private live = 0;
  private liveBytes = 0;
  private usableBytes = 0;

  constructor(space: AddressSpace, options: Partial<FirstFitOptions> = {}) {
    const o = { ...DEFAULT_OPTIONS, ...options };
    if (!Number.isInteger(o.growBy) || o.growBy < space.pageSize) throw new TypeError(`first-fit: option growBy must be an integer ≥ the page size, got ${String(o.growBy)}`);
    super(space, { name: 'first-fit', family: 'free-list', parameters: { ...o }, description: 'an address-ordered free list, first fit, split and coalesce, over an sbrk heap (the README example)' });
    this.options = Object.freeze(o);
  }

  // -------------------------------------------------------------- chunk fields
  private size(c: number): number {
    return this.space.raw.u32(c) & ~FREE;
  }
  private isFree(c: number): boolean {
    return (this.space.raw.u32(c) & FREE) !== 0;
  }
  private next(c: number): number {
    return this.space.raw.u32(c + 4);
  }
  private setFree(c: number, size: number, next: number): void {
    const m = this.space.raw;
    m.setU32(c, size | FREE);
    m.setU32(c + 4, next);
    m.setU32(c + 8, (MAGIC ^ c) >>> 0);
  }
  private setLive(c: number, size: number, requested: number): void {
    const m = this.space.raw;
    m.setU32(c, size);
    m.setU32(c + 4, requested);
    m.setU32(c + 8, (MAGIC ^ c) >>> 0);
  }
  private linkAfter(prev: number, c: number): void {
    if (prev === 0) this.head = c;
    else this.space.raw.setU32(prev + 4, c);
  }

  /** Puts chunk c (size bytes) on the free list in address order, merging with free neighbours. */
  private insertFree(c: number, size: number): void {
    let prev = 0;
    let cur = this.head;
    while (cur !== 0 && cur < c) {
      prev = cur;
      cur = this.next(cur);
    }
    this.setFree(c, size, cur);
    this.linkAfter(prev, c);
    if (cur !== 0 && c + size === cur) {
      this.setFree(c, size + this.size(cur), this.next(cur));
      this.space.raw.setU32(cur + 8, 0); // the absorbed header is no longer a header
    }
    if (prev !== 0 && prev + this.size(prev) === c) {
      this.setFree(prev, this.size(prev) + this.size(c), this.next(c));
      this.space.raw.setU32(c + 8, 0);
    }
  }

  /** Grows the heap by at least `bytes`; false when the break cannot move. */
  private grow(bytes: number): boolean {
    const n = alignUp(Math.max(bytes, this.options.growBy), this.space.pageSize);
    let old: number;
    try {
      if (this.top === 0) {
        const brk = this.space.sbrk(0);
        old = this.space.sbrk(alignUp(brk, 16) - brk + n, this.identity);
        old = alignUp(old, 16);
      } else {
        if (this.space.currentBrk !== this.top) return false; // someone else moved the break
        old = this.space.sbrk(n, this.identity);
      }
    } catch (e) {
      if (e instanceof KernelError) return false;
      throw e;
    }
    if (this.top === 0) this.heapStart = old;
    this.top = old + n;
    this.insertFree(old, n);
    return true;
  }

  // -------------------------------------------------------------- the primitives
  protected allocate(size: number, align: number): number {
    const body = Math.max(MIN_CHUNK, alignUp(HEADER + size, 16));
    const need = align <= 16 ? body : body + align + 16;
    for (let attempt = 0; attempt < 2; attempt++) {
      let prev = 0;
      for (let c = this.head; c !== 0; prev = c, c = this.next(c)) {
        const csize = this.size(c);
        if (csize >= need) return this.take(prev, c, csize, size, body, align);
      }
      if (attempt === 0 && !this.grow(need + MIN_CHUNK)) return 0;
    }
    return 0;
  }

  /** Takes free chunk c out of the list and cuts the block from it (aligned), freeing what is left over. */
  private take(prev: number, c: number, csize: number, size: number, body: number, align: number): number {
    this.linkAfter(prev, this.next(c));
    let start = c;
    let left = csize;
    if (align > 16) {
      let p = alignUp(c + HEADER, align);
      if (p - HEADER - c > 0 && p - HEADER - c < MIN_CHUNK) p += align;
      const lead = p - HEADER - c;
      if (lead > 0) this.insertFree(c, lead);
      start = p - HEADER;
      left = csize - lead;
    }
    if (left - body >= MIN_CHUNK) {
      this.insertFree(start + body, left - body);
      left = body;
    }
    this.setLive(start, left, size);
    this.live++;
    this.liveBytes += size;
    this.usableBytes += left - HEADER;
    return start + HEADER;
  }

  /** The chunk of a live block pointer; throws double-free / invalid-free otherwise. */
  private chunkOf(ptr: number, what: string): number {
    const c = ptr - HEADER;
    if (ptr % 16 === 0 && c >= this.heapStart && c < this.top && this.space.raw.u32(c + 8) === ((MAGIC ^ c) >>> 0)) {
      if (!this.isFree(c)) return c;
      this.misuse('double-free', `${what} of ${hex(ptr)}, which is already free`, ptr);
    }
    this.misuse('invalid-free', `${what} of ${hex(ptr)}, which is not a block of this allocator`, ptr);
  }

  protected release(ptr: number, size: number | undefined): void {
    const c = this.chunkOf(ptr, 'free');
    const requested = this.space.raw.u32(c + 4);
    if (size !== undefined && size !== requested) this.misuse('size-mismatch', `free_sized(${hex(ptr)}, ${size}) of a block of ${requested} bytes`, ptr);
    const csize = this.size(c);
    this.live--;
    this.liveBytes -= requested;
    this.usableBytes -= csize - HEADER;
    this.insertFree(c, csize);
  }

  protected usable(ptr: number): number {
    return this.size(this.chunkOf(ptr, 'usableSize')) - HEADER;
  }

  blockAt(addr: number): BlockInfo | null {
    if (!(addr >= this.heapStart && addr < this.top)) return null;
    for (let c = this.heapStart; c < this.top; c += this.size(c)) {
      const end = c + this.size(c);
      if (addr < end) {
        const ptr = c + HEADER;
        const usable = end - ptr;
        return !this.isFree(c) && addr >= ptr && (addr < end || addr === ptr) ? { base: ptr, size: usable } : null;
      }
    }
    return null;
  }

  protected figures(): HeapFigures {
    // Every header and the free list are in the heap segment; the object holds six numbers, so nothing is outside the space.
    return { liveBlocks: this.live, liveBytes: this.liveBytes, usableBytes: this.usableBytes, metadataBytes: HEADER * this.live, externalBytes: 0 };
  }

  check(): void {
    const bad = (what: string): never => {
      throw new HeapCorruption(this.identity.label, what);
    };
    let live = 0;
    let bytes = 0;
    let usable = 0;
    let expectFree = this.head;
    let prevFree = false;
    let c = this.heapStart;
    while (c < this.top) {
      const size = this.size(c);
      if (size < MIN_CHUNK || size % 16 !== 0 || c + size > this.top) bad(`chunk ${hex(c)} has size ${size}`);
      if (this.space.raw.u32(c + 8) !== ((MAGIC ^ c) >>> 0)) bad(`chunk ${hex(c)} has a bad magic`);
      if (this.isFree(c)) {
        if (prevFree) bad(`free chunk ${hex(c)} follows another free chunk (not coalesced)`);
        if (c !== expectFree) bad(`free chunk ${hex(c)} is not next on the free list (expected ${hex(expectFree)})`);
        expectFree = this.next(c);
        prevFree = true;
      } else {
        live++;
        bytes += this.space.raw.u32(c + 4);
        usable += size - HEADER;
        prevFree = false;
      }
      c += size;
    }
    if (c !== this.top) bad(`the chunks end at ${hex(c)}, the heap at ${hex(this.top)}`);
    if (expectFree !== 0) bad(`the free list continues past the last free chunk, at ${hex(expectFree)}`);
    if (live !== this.live || bytes !== this.liveBytes || usable !== this.usableBytes) {
      bad(`the chunks hold ${live} blocks / ${bytes} bytes / ${usable} usable, the counters say ${this.live} / ${this.liveBytes} / ${this.usableBytes}`);
    }
  }
}

/** Makes a first-fit allocator over a space. */
export function createFirstFitAllocator(space: AddressSpace, options: Partial<FirstFitOptions> = {}): FirstFitAllocator {
  return new FirstFitAllocator(space, options);
}

/** What heaplab.config.json loads: the allocator as a registry strategy (export name `strategy`). */
export const strategy = defineAllocator<FirstFitOptions>({
  name: 'first-fit',
  family: 'free-list',
  description: 'an address-ordered free list, first fit, split and coalesce, over an sbrk heap (the README example)',
  defaults: DEFAULT_OPTIONS,
  create: (space, parameters) => createFirstFitAllocator(space, parameters),
});
