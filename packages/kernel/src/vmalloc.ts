/*
 * vmalloc: page-granular, virtually contiguous areas in a range of their own, each followed by
 * a guard page, each data page backed by one order-0 frame.
 *
 * Structure: when made, the allocator reserves its vmalloc range (VMALLOC_START … VMALLOC_END)
 * in the space as one PROT_NONE mapping. A request of n bytes takes ⌈n / page⌉ data pages and
 * one guard page: the lowest free run of pages that fits (VmapTree, the free areas ordered by
 * address and augmented with their subtrees' largest size — find_vmap_lowest_match), made
 * read-write except the guard, which stays PROT_NONE. Each data page is charged one order-0
 * frame from the frame source (alloc_pages(0) per page, as __vmalloc_area_node does). vfree
 * gives the pages back (madvise DONTNEED, then PROT_NONE), returns the frames one by one and puts
 * the run back in the tree, merged with its free neighbours.
 *
 * In a space made with `physical` the area's pages are its frames: the reservation is unmapped
 * there and the frames mapped in their place (space.mapFrames); vfree unmaps them, returns the
 * frames and reserves the pages again. In any other space a virtual page cannot alias a frame's
 * direct-map page, so the data pages are the vmalloc range's own pages and the frame charged for
 * each is only accounted (the frame allocator counts it in use; its direct-map page is never
 * written).
 *
 * malloc(0) is a guard page alone: a unique pointer whose every access faults.
 *
 * Layout outside the space, per page of the range: head[p] (data pages + 1 when p starts a live
 * area, else 0), owner[p] (the first page of the live area p is a data page of, else −1),
 * pfn[p] (the frame charged for data page p, else −1), freed[p] (1 when p started an area since
 * freed: a second vfree is a double free), requested[p] (bytes asked, at an area's first page).
 *
 * Invariants: live areas and free areas tile the range; a live area's data pages are RW and its
 * guard PROT_NONE; every data page has one frame; liveBlocks/liveBytes/usableBytes are the sums
 * over live areas.
 */

import { AllocatorBase, HeapCorruption, KernelError, MADV_DONTNEED, MAP_FIXED, PROT_NONE, PROT_READ, PROT_WRITE, hex, type AddressSpace, type BlockInfo, type HeapFigures } from '@heaplab/core';
import { VMALLOC_DEFAULTS, type PhysicalFigures, type VmallocOptions } from './api.js';
import { checkFrameOptions, frameSourceFor, ownPoolBytes, physicalFigures, type FrameSource } from './frame-source.js';
import { VmapTree } from './vmap-tree.js';

const MiB = 2 ** 20;
const RW = PROT_READ | PROT_WRITE;

export class VmallocAllocator extends AllocatorBase {
  readonly options: Readonly<VmallocOptions>;
  readonly source: FrameSource;
  /** First address of the vmalloc range and its size in pages. */
  readonly rangeStart: number;
  readonly rangePages: number;
  private readonly ps: number;
  /** True when the space maps frames at any page (mapFrames): an area's pages are then its frames. */
  private readonly aliased: boolean;
  private readonly tree: VmapTree;
  private readonly head: Int32Array;
  private readonly owner: Int32Array;
  private readonly pfn: Int32Array;
  private readonly freed: Uint8Array;
  private readonly requested: Float64Array;
  private liveBlocks = 0;
  private liveBytes = 0;
  private usableBytes = 0;

  constructor(space: AddressSpace, options: Partial<VmallocOptions> = {}) {
    const o = { ...VMALLOC_DEFAULTS, ...options };
    checkFrameOptions('vmalloc', o);
    if (!(typeof o.vmallocMib === 'number' && o.vmallocMib > 0 && Number.isFinite(o.vmallocMib))) throw new TypeError(`vmalloc: option vmallocMib must be a positive number of MiB, got ${String(o.vmallocMib)}`);
    super(space, {
      name: 'vmalloc',
      family: 'kernel',
      parameters: { ...o },
      description: 'page-granular virtually contiguous areas with a guard page each, lowest fit in a tree of free areas, one frame per page',
    });
    this.options = Object.freeze(o);
    this.ps = space.pageSize;
    this.source = frameSourceFor(space, this.identity, o);
    this.aliased = this.source.kind === 'space';
    const pool = this.source.kind === 'own-pool' ? ownPoolBytes(space, o) : 0;
    const want = Math.floor(o.vmallocMib * MiB);
    let bytes = space.size < 2 * want ? Math.floor((space.size - pool) / 2) : want;
    bytes -= bytes % this.ps;
    try {
      this.rangeStart = space.mmap(0, bytes, PROT_NONE, 0, this.identity);
    } catch (e) {
      if (e instanceof KernelError) throw new RangeError(`vmalloc: cannot reserve a ${bytes / MiB} MiB vmalloc range in this ${space.size / MiB} MiB space (${e.message}); set vmallocMib smaller`);
      throw e;
    }
    const n = bytes / this.ps;
    this.rangePages = n;
    this.tree = new VmapTree(Math.floor(n / 2) + 2);
    this.tree.release(0, n);
    this.head = new Int32Array(n);
    this.owner = new Int32Array(n).fill(-1);
    this.pfn = new Int32Array(n).fill(-1);
    this.freed = new Uint8Array(n);
    this.requested = new Float64Array(n);
  }

  protected allocate(size: number, align: number): number {
    const ps = this.ps;
    const pages = Math.ceil(size / ps);
    const total = pages + 1;
    const alignPages = align <= ps ? 1 : align / ps;
    const firstPage = this.rangeStart / ps;
    const at0 = this.tree.lowestFit(total + alignPages - 1);
    if (at0 < 0) return 0;
    const areaSize = this.tree.lastSize;
    const at = Math.ceil((firstPage + at0) / alignPages) * alignPages - firstPage;
    // One order-0 frame per data page; give back what was taken when memory runs out.
    for (let i = 0; i < pages; i++) {
      const f = this.source.allocPages(0);
      if (f < 0) {
        for (let j = 0; j < i; j++) {
          this.source.freePages(this.pfn[at + j]!, 0);
          this.pfn[at + j] = -1;
        }
        return 0;
      }
      this.pfn[at + i] = f;
    }
    this.tree.carve(at0, areaSize, at, total);
    const ptr = this.rangeStart + at * ps;
    if (pages > 0) {
      if (this.aliased) {
        // The area's pages are the frames themselves: the reservation gives way to them.
        this.space.munmap(ptr, pages * ps);
        this.space.mapFrames(ptr, this.pfn.subarray(at, at + pages), RW, this.identity);
      } else this.space.mprotect(ptr, pages * ps, RW);
    }
    this.head[at] = total;
    this.owner.fill(at, at, at + pages);
    this.freed.fill(0, at, at + total);
    this.requested[at] = size;
    this.liveBlocks++;
    this.liveBytes += size;
    this.usableBytes += pages * ps;
    return ptr;
  }

  protected override allocateZeroed(size: number): number {
    return this.allocate(size, 16); // fresh pages read as zero (vfree gives them back with DONTNEED)
  }

  /** Page index of the live area starting at ptr; throws double-free / invalid-free. */
  private areaOf(ptr: number, what: string): number {
    const off = ptr - this.rangeStart;
    const p = off / this.ps;
    const ok = off >= 0 && p < this.rangePages && Number.isInteger(p);
    if (ok && this.head[p]! > 0) return p;
    if (ok && this.freed[p] === 1) this.misuse('double-free', `vfree of ${hex(ptr)}, an area already freed (${what})`, ptr);
    this.misuse('invalid-free', `${what} of ${hex(ptr)}, which does not start a live vmalloc area`, ptr);
  }

  protected usable(ptr: number): number {
    return (this.head[this.areaOf(ptr, 'usableSize')]! - 1) * this.ps;
  }

  protected release(ptr: number, size: number | undefined): void {
    const p = this.areaOf(ptr, 'free');
    const req = this.requested[p]!;
    if (size !== undefined && size !== req) this.misuse('size-mismatch', `free_sized(${hex(ptr)}, ${size}) of an area of ${req} bytes`, ptr);
    const total = this.head[p]!;
    const pages = total - 1;
    if (pages > 0) {
      if (this.aliased) {
        // Unmapping leaves the frames to their taker (returned below); the range is reserved again.
        this.space.munmap(ptr, pages * this.ps);
        this.space.mmap(ptr, pages * this.ps, PROT_NONE, MAP_FIXED, this.identity);
      } else {
        this.space.madvise(ptr, pages * this.ps, MADV_DONTNEED);
        this.space.mprotect(ptr, pages * this.ps, PROT_NONE);
      }
    }
    for (let i = 0; i < pages; i++) {
      this.source.freePages(this.pfn[p + i]!, 0);
      this.pfn[p + i] = -1;
    }
    this.owner.fill(-1, p, p + pages);
    this.head[p] = 0;
    this.freed[p] = 1;
    this.tree.release(p, total);
    this.liveBlocks--;
    this.liveBytes -= req;
    this.usableBytes -= pages * this.ps;
  }

  protected override resizeInPlace(ptr: number, size: number): number {
    const p = this.areaOf(ptr, 'realloc');
    if (size > (this.head[p]! - 1) * this.ps) return 0;
    this.liveBytes += size - this.requested[p]!;
    this.requested[p] = size;
    return ptr;
  }

  blockAt(addr: number): BlockInfo | null {
    const off = addr - this.rangeStart;
    if (!(off >= 0 && off < this.rangePages * this.ps)) return null;
    const p = Math.floor(off / this.ps);
    const h = this.owner[p]!;
    if (h >= 0) return { base: this.rangeStart + h * this.ps, size: (this.head[h]! - 1) * this.ps };
    if (this.head[p] === 1 && off === p * this.ps) return { base: addr, size: 0 }; // malloc(0): a guard page alone
    return null;
  }

  /** vmalloc_to_pfn: the frame backing the data page that holds addr in a live area, or −1. */
  vmallocToPfn(addr: number): number {
    const off = addr - this.rangeStart;
    if (!(off >= 0 && off < this.rangePages * this.ps)) return -1;
    const p = Math.floor(off / this.ps);
    return this.owner[p]! >= 0 ? this.pfn[p]! : -1;
  }

  /** Physical memory: frames in use, free blocks per order, fragmentation indices. */
  physical(): PhysicalFigures {
    return physicalFigures(this.source);
  }

  /** The free areas of the vmalloc range, lowest first, as [address, bytes]. */
  freeAreas(): Array<[number, number]> {
    return this.tree.list().map(([s, z]) => [this.rangeStart + s * this.ps, z * this.ps]);
  }

  protected figures(): HeapFigures {
    return {
      liveBlocks: this.liveBlocks,
      liveBytes: this.liveBytes,
      usableBytes: this.usableBytes,
      metadataBytes: 0,
      externalBytes: this.source.externalBytes + this.tree.byteLength + this.head.byteLength + this.owner.byteLength + this.pfn.byteLength + this.freed.byteLength + this.requested.byteLength,
    };
  }

  check(): void {
    const bad = (what: string): never => {
      throw new HeapCorruption(this.label, what);
    };
    try {
      this.tree.check();
      if (this.source.kind === 'own-pool') this.source.frames.check();
    } catch (e) {
      bad((e as Error).message);
    }
    // Free areas and live areas tile the range.
    let blocks = 0;
    let bytes = 0;
    let usable = 0;
    let frames = 0;
    const free = this.tree.list();
    let f = 0;
    for (let p = 0; p < this.rangePages; ) {
      if (f < free.length && free[f]![0] === p) {
        p += free[f]![1];
        f++;
        continue;
      }
      const total = this.head[p]!;
      if (total <= 0) bad(`page ${hex(this.rangeStart + p * this.ps)} is in no free area and starts no live area`);
      const pages = total - 1;
      const a = this.rangeStart + p * this.ps;
      for (let i = 0; i < pages; i++) {
        if (this.owner[p + i] !== p) bad(`area ${hex(a)}: data page ${i} names another area`);
        if (this.pfn[p + i]! < 0 || this.source.frames.allocatedOrder(this.pfn[p + i]!) !== 0) bad(`area ${hex(a)}: data page ${i} has no order-0 frame`);
      }
      if (pages > 0 && !this.space.accessible(a, pages * this.ps, RW)) bad(`area ${hex(a)}: its data pages are not all read-write`);
      if (this.space.protAt(a + pages * this.ps) !== PROT_NONE) bad(`area ${hex(a)}: no guard page after it`);
      blocks++;
      bytes += this.requested[p]!;
      usable += pages * this.ps;
      frames += pages;
      p += total;
    }
    if (blocks !== this.liveBlocks || bytes !== this.liveBytes || usable !== this.usableBytes) {
      bad(`areas add up to ${blocks} / ${bytes} bytes / ${usable} usable, the counters say ${this.liveBlocks} / ${this.liveBytes} / ${this.usableBytes}`);
    }
    if (this.source.kind === 'own-pool' && frames !== this.source.frames.framesInUse) bad(`areas hold ${frames} frames, the frame allocator has ${this.source.frames.framesInUse} in use`);
  }
}

/** Makes a vmalloc allocator over a space. */
export function createVmallocAllocator(space: AddressSpace, options: Partial<VmallocOptions> = {}): VmallocAllocator {
  return new VmallocAllocator(space, options);
}
