/*
 * PagedKernel: the simulated kernel of a paged address space — one larger than 4 GiB (up to
 * 2^47, a Linux process's user space) or one made with `physical` RAM. AddressSpace hands every
 * call to it when the space is paged; flat spaces never reach this file.
 *
 * Layout (virtual addresses):
 *   [0, headerBytes)              never mappable (NULL and the "program image"; 1 MiB)
 *   [start_brk, brk)              the heap segment, as in a flat space
 *   … free …
 *   (…, mmap_base)                the mmap area, filled top-down from mmap_base
 *   [directMapBase, size)         with `physical` only: the direct map, virtual page
 *                                 directMapBase/pageSize + pfn is frame pfn, always
 * Without `physical`, mmap_base = size and there is no direct map.
 *
 * Physical memory: one ArrayBuffer of `physical` bytes (default 4 GiB) cut into page frames,
 * handed out by BuddyFrames (frames.ts). Untouched parts of the buffer cost no host memory, and
 * the buddy allocator hands out the lowest free frames first, so the host pays for what is used.
 * Page tables (page-table.ts) map a virtual page to its frame; a page with no frame reads as zero,
 * and its first write (raw through PagedMemory, or a checked store) takes an order-0 frame, zeroed.
 * munmap, MADV_DONTNEED and brk shrinking give frames back. A page is RESIDENT exactly when it
 * has a frame, so residency needs no scan: the resident count is the frames in use.
 *
 * Commit accounting (with `physical` only, strict as Linux's overcommit_memory=2 with 100 %):
 * charged = pages writable + pages holding a frame while not writable. mmap of writable pages,
 * brk growth and mprotect adding write are refused with ENOMEM when charged + kernel frames would
 * exceed the frames, so a first touch always finds a frame: running out of RAM is a failed
 * mapping, never a crash at a write. takeFrames (the kernel allocators' alloc_pages) is refused
 * the same way. Without `physical` nothing is charged and a first touch that finds no frame
 * throws KernelError ENOMEM (4 GiB of frames is the limit).
 *
 * Kernel frames: takeFrames(order, owner) takes 2^order contiguous frames from the buddy
 * allocator, counts them mapped, committed and resident, and makes them readable and writable at
 * directMapBase + pfn·pageSize (through checked access too, with their owner); returnFrames gives
 * them back. mapFrames(addr, pfns, prot, owner) maps such frames at a free virtual range (vmalloc):
 * those pages carry PAGE_FOREIGN, count mapped but neither committed nor resident (the frames are
 * already counted), and munmap leaves the frames to their taker.
 *
 * Invariants: frames in use = frames held by pages + frames taken; charged + taken ≤ frames
 * (with `physical`); the page-table invariants of page-table.ts; brk, mmap_base and page numbers
 * are plain numbers (never `>>>`, they exceed 2^32).
 */

import type { Identity, Mapping } from '../api.js';
import { KernelError, SegmentationFault, hex } from '../errors.js';
import { BuddyFrames } from './frames.js';
import { COUNTER, H, PAGE_HEAP, PAGE_MAPPED, PAGE_READ, PAGE_RESIDENT, PAGE_START, PAGE_WRITE, protToFlags } from './layout.js';
import { CHUNK_PAGES, PageTable } from './page-table.js';
import { PagedMemory, type FrameSource } from './paged-memory.js';
import { formatMaps } from './maps.js';
import type { AddressSpace } from './address-space.js';

/** Page flag of a page mapped over a frame someone else took (mapFrames): munmap does not free it. */
export const PAGE_FOREIGN = 64;
/** Bytes at the bottom of a paged space that are never mappable. */
export const PAGED_LOW_BYTES = 2 ** 20;
/** The most physical memory a paged space holds (one ArrayBuffer). */
export const MAX_PHYSICAL = 2 ** 32;

const RW = PAGE_READ | PAGE_WRITE;

export class PagedKernel implements FrameSource {
  readonly pt: PageTable;
  readonly pageSize: number;
  readonly pageCount: number;
  readonly size: number;
  readonly frames: BuddyFrames;
  readonly totalFrames: number;
  readonly memory: PagedMemory;
  /** Strict commit accounting (the space was made with `physical`). */
  readonly strict: boolean;
  /** First byte of the direct map (Infinity when none), and its first page. */
  readonly directMapBase: number;
  readonly directMapPage: number;
  startBrk: number;
  brk: number;
  /** Exclusive top of the mmap area, and the page the next top-down search starts below. */
  mmapBase: number;
  freeAreaCache: number;
  /** Pages charged against the frames (see the file comment). */
  charged = 0;
  /** Frames taken with takeFrames. */
  taken = 0;
  /** Per frame: owner index + 1 for frames taken with takeFrames, 0 otherwise. */
  private readonly frameOwner: Uint16Array;

  constructor(
    private readonly space: AddressSpace,
    size: number,
    pageSize: number,
    physical: number | undefined,
  ) {
    this.size = size;
    this.pageSize = pageSize;
    this.pageCount = size / pageSize;
    this.pt = new PageTable(this.pageCount);
    this.strict = physical !== undefined;
    const bytes = physical ?? MAX_PHYSICAL;
    this.totalFrames = bytes / pageSize;
    this.frames = new BuddyFrames(this.totalFrames);
    this.frameOwner = new Uint16Array(this.totalFrames);
    this.memory = new PagedMemory(this, new ArrayBuffer(bytes));
    this.directMapBase = physical === undefined ? Infinity : size - bytes;
    this.directMapPage = physical === undefined ? Infinity : this.pageCount - this.totalFrames;
    this.startBrk = PAGED_LOW_BYTES;
    this.brk = PAGED_LOW_BYTES;
    this.mmapBase = physical === undefined ? this.pageCount : this.directMapPage;
    this.freeAreaCache = this.mmapBase;
  }

  // ---------------------------------------------------------------- frames

  /** Bytes of the kernel's JavaScript-side tables (page tables, frame lists). */
  get tableBytes(): number {
    return this.pt.tableBytes + this.frames.tableBytes + this.frameOwner.byteLength;
  }

  private addPages(mapped: number, committed: number): void {
    const f = this.space.f64;
    const m = (f[COUNTER.mappedPages]! += mapped);
    const c = (f[COUNTER.committedPages]! += committed);
    if (m > f[COUNTER.peakMapped]!) f[COUNTER.peakMapped] = m;
    if (c > f[COUNTER.peakCommitted]!) f[COUNTER.peakCommitted] = c;
  }

  private addResident(n: number): void {
    const i32 = this.space.i32;
    const r = (i32[H.residentPages] = i32[H.residentPages]! + n);
    const f = this.space.f64;
    if (r > f[COUNTER.peakResident]!) f[COUNTER.peakResident] = r;
  }

  /** Whether `n` more pages may be charged (always without `physical`). */
  private canCharge(n: number): boolean {
    return !this.strict || this.charged + this.taken + n <= this.totalFrames;
  }

  /**
   * The page-fault path: page `page` (holding `addr`) is written and may have no frame. Returns
   * its pfn: a direct-map page's own frame, a page's frame, or — for a page with none — a new
   * order-0 frame, zeroed, recorded in the page table, the page marked RESIDENT (and charged when
   * it is not writable). Throws SegmentationFault for a page that is not mapped (or a direct-map
   * page past the frames), KernelError ENOMEM when no frame can be had.
   *
   * Kept as one function on purpose: its bytecode is longer than TurboFan's inlining limit, so it
   * stays out of line and PagedMemory's accessors, whose miss paths call it, stay small enough to
   * be inlined into allocators' loops (inlined, it exhausted the caller's inlining budget and a
   * raw store cost about 9 ns instead of 3; scripts/raw-access-cost.ts).
   */
  fault(page: number, addr: number): number {
    const ps = this.pageSize;
    if (page >= this.directMapPage) {
      const own = page - this.directMapPage;
      if (own < this.totalFrames && this.frameOwner[own] !== 0) return own;
      const m = this.space.mappingAt(addr);
      throw new SegmentationFault(addr, 'write', m ? formatMaps([m]).trimEnd() : 'unmapped (a direct-map frame not taken with takeFrames)');
    }
    const c = Math.floor(page / CHUNK_PAGES);
    const d = this.pt.dense(c);
    const f = d === undefined ? this.pt.uniFlags[c]! : d.flags[page - c * CHUNK_PAGES]!;
    if (d !== undefined && d.frame[page - c * CHUNK_PAGES] !== 0) return d.frame[page - c * CHUNK_PAGES]! - 1;
    if (!(f & PAGE_MAPPED)) {
      const m = this.space.mappingAt(addr);
      throw new SegmentationFault(addr, 'write', m ? formatMaps([m]).trimEnd() : 'unmapped');
    }
    const chargeNow = !(f & PAGE_WRITE);
    if (chargeNow && this.strict && this.charged + this.taken + 1 > this.totalFrames) {
      throw new KernelError('ENOMEM', 'page fault', `no frame for a write to the read-only page at ${hex(addr)}: the physical memory (${this.totalFrames} frames) is committed to ${this.charged} pages and ${this.taken} taken frames`);
    }
    const pfn = this.frames.alloc(0);
    if (pfn < 0) throw new KernelError('ENOMEM', 'page fault', `no free frame for a write at ${hex(addr)}: all ${this.totalFrames} frames are in use (${this.taken} taken by kernel allocators)`);
    if (chargeNow) this.charged++;
    this.memory.physicalBytes.fill(0, pfn * ps, pfn * ps + ps);
    this.pt.setFrame(page, pfn + 1);
    this.pt.setFlag(page, f | PAGE_RESIDENT);
    const i32 = this.space.i32;
    const r = (i32[H.residentPages] = i32[H.residentPages]! + 1);
    const counters = this.space.f64;
    if (r > counters[COUNTER.peakResident]!) counters[COUNTER.peakResident] = r;
    this.memory.flush();
    return pfn;
  }

  /**
   * Takes 2^order contiguous frames for a kernel allocator (alloc_pages): their first pfn, or −1
   * when the buddy allocator has no block of that order or (with `physical`) the frames are
   * committed to mappings. The frames read and write at directMapBase + pfn·pageSize.
   */
  takeFrames(order: number, ownerIndex: number): number {
    const n = 2 ** order;
    if (!this.canCharge(n)) return -1;
    const pfn = this.frames.alloc(order);
    if (pfn < 0) return -1;
    this.taken += n;
    this.frameOwner.fill(ownerIndex + 1, pfn, pfn + n);
    this.memory.physicalBytes.fill(0, pfn * this.pageSize, (pfn + n) * this.pageSize);
    this.addPages(n, n);
    this.addResident(n);
    return pfn;
  }

  /** Gives back frames taken with takeFrames (__free_pages). Throws FrameError on a bad pfn or order. */
  returnFrames(pfn: number, order: number): void {
    const n = 2 ** order;
    if (!(pfn >= 0 && pfn + n <= this.totalFrames) || this.frameOwner[pfn] === 0) {
      throw new KernelError('EINVAL', 'returnFrames', `frames ${pfn}…${pfn + n - 1} were not taken with takeFrames`);
    }
    this.frames.free(pfn, order);
    this.frameOwner.fill(0, pfn, pfn + n);
    this.taken -= n;
    this.addPages(-n, -n);
    this.addResident(-n);
    this.memory.flush();
  }

  /** Owner index of a taken frame (0: none), or −1 when the frame is not taken. */
  frameOwnerIndex(pfn: number): number {
    return pfn >= 0 && pfn < this.totalFrames ? this.frameOwner[pfn]! - 1 : -1;
  }

  // ---------------------------------------------------------------- page flags and owners

  /** Flags of page p (a direct-map page is MAPPED, RW and RESIDENT while its frame is taken). */
  pageFlags(p: number): number {
    if (p >= this.directMapPage) return this.frameOwnerIndex(p - this.directMapPage) >= 0 ? PAGE_MAPPED | RW | PAGE_RESIDENT : 0;
    return p >= 0 && p < this.pageCount ? this.pt.flag(p) & ~PAGE_FOREIGN : 0;
  }

  ownerIndexAt(addr: number): number {
    const p = Math.floor(addr / this.pageSize);
    if (p >= this.directMapPage) return Math.max(0, this.frameOwnerIndex(p - this.directMapPage));
    return this.pt.owner(p);
  }

  // ---------------------------------------------------------------- brk

  setBrk(addr: number, owner: Identity | null | undefined, call: string): void {
    const start = this.startBrk;
    const old = this.brk;
    if (addr < start) throw new KernelError('ENOMEM', call, `break ${hex(addr)} below start_brk ${hex(start)}`);
    if (addr > this.mmapBase * this.pageSize) throw new KernelError('ENOMEM', call, `break ${hex(addr)} past the mmap area's top`);
    const ps = this.pageSize;
    const oldEnd = Math.ceil(old / ps);
    const newEnd = Math.ceil(addr / ps);
    if (newEnd > oldEnd) {
      const n = newEnd - oldEnd;
      const hit = this.pt.firstMapped(oldEnd, newEnd);
      if (hit >= 0) throw new KernelError('ENOMEM', call, `the heap cannot grow to ${hex(addr)}: ${hex(hit * ps)} is mapped`);
      if (!this.canCharge(n)) throw new KernelError('ENOMEM', call, `the heap cannot grow by ${n} pages: the physical memory is committed`);
      const ownerIndex = this.space.owners.indexOf(owner);
      const first = Math.floor(start / ps);
      const bits = PAGE_MAPPED | RW | PAGE_HEAP;
      this.pt.set(oldEnd, n, bits, ownerIndex, oldEnd === first);
      this.charged += n;
      this.addPages(n, n);
    } else if (newEnd < oldEnd) {
      this.unmapPages(newEnd, oldEnd - newEnd);
    }
    this.brk = addr;
    this.space.f64[COUNTER.brk]!++;
  }

  // ---------------------------------------------------------------- mmap family

  /** The mmap of a paged space; arguments are validated by AddressSpace. */
  mmap(addr: number, n: number, prot: number, flags: number, fixed: boolean, noReplace: boolean, owner: Identity | null | undefined): number {
    const ps = this.pageSize;
    const bits = PAGE_MAPPED | protToFlags(prot);
    let p0: number;
    if (fixed) {
      p0 = addr / ps;
      if (p0 < PAGED_LOW_BYTES / ps || p0 + n > this.mmapBase) {
        throw new KernelError('EINVAL', 'mmap', `fixed range ${hex(addr)}+${n * ps} is outside the mappable area`);
      }
      const heap = this.pt.firstWith(p0, p0 + n, PAGE_HEAP);
      if (heap >= 0) throw new KernelError('EINVAL', 'mmap', `fixed range ${hex(addr)}+${n * ps} overlaps the heap segment (not simulated)`);
      if (noReplace) {
        const hit = this.pt.firstMapped(p0, p0 + n);
        if (hit >= 0) throw new KernelError('EEXIST', 'mmap', `${hex(hit * ps)} is already mapped`);
      }
      if (bits & PAGE_WRITE && !this.canCharge(n - this.chargedIn(p0, n))) {
        throw new KernelError('ENOMEM', 'mmap', `${n} writable pages exceed the physical memory not yet committed`);
      }
      this.unmapPages(p0, n);
    } else {
      if (bits & PAGE_WRITE && !this.canCharge(n)) {
        throw new KernelError('ENOMEM', 'mmap', `${n} writable pages exceed the physical memory not yet committed (${this.totalFrames - this.charged - this.taken} frames left)`);
      }
      p0 = -1;
      if (addr !== 0 && addr % ps === 0) {
        const h = addr / ps;
        if (h >= Math.ceil(this.brk / ps) && h + n <= this.mmapBase && this.pt.free(h, n)) p0 = h;
      }
      if (p0 < 0) p0 = this.findFree(n);
      if (p0 < 0) throw new KernelError('ENOMEM', 'mmap', `no hole of ${n} pages`);
      this.freeAreaCache = p0;
    }
    this.pt.set(p0, n, bits, this.space.owners.indexOf(owner), true);
    this.startAfter(p0 + n);
    if (bits & PAGE_WRITE) this.charged += n;
    this.addPages(n, bits & PAGE_WRITE ? n : 0);
    this.memory.flush();
    return p0 * ps;
  }

  /** Pages of [p0, p0 + n) charged now (writable or holding a frame), except foreign ones. */
  private chargedIn(p0: number, n: number): number {
    let count = 0;
    for (let p = p0, end = p0 + n; p < end; ) {
      const c = Math.floor(p / CHUNK_PAGES);
      const i0 = p - c * CHUNK_PAGES;
      const i1 = Math.min(this.pt.pagesIn(c), end - c * CHUNK_PAGES);
      p = c * CHUNK_PAGES + i1;
      const d = this.pt.dense(c);
      if (d === undefined) {
        if (this.pt.uniFlags[c]! & PAGE_WRITE) count += i1 - i0;
        continue;
      }
      for (let i = i0; i < i1; i++) {
        const f = d.flags[i]!;
        if (!(f & PAGE_FOREIGN) && (f & PAGE_WRITE || d.frame[i] !== 0)) count++;
      }
    }
    return count;
  }

  /** A mapping after page `after` that a change split from begins a mapping of its own. */
  private startAfter(after: number): void {
    if (after < this.pageCount) {
      const f = this.pt.flag(after);
      if (f & PAGE_MAPPED && !(f & PAGE_HEAP) && !(f & PAGE_START)) this.pt.setFlag(after, f | PAGE_START);
    }
  }

  /** Top-down first fit from the free-area cache down to the break, then from mmap_base down to the cache. */
  private findFree(n: number): number {
    const floor = Math.ceil(this.brk / this.pageSize);
    const top = this.mmapBase;
    const cache = Math.min(this.freeAreaCache, top);
    const r = this.pt.findDown(cache, floor, n);
    return r >= 0 ? r : this.pt.findDown(top, Math.max(floor, cache - n), n);
  }

  munmap(p0: number, n: number, addr: number, length: number): void {
    if (this.pt.firstWith(p0, p0 + n, PAGE_HEAP) >= 0) {
      throw new KernelError('EINVAL', 'munmap', `${hex(addr)}+${length} overlaps the heap segment: shrink it with brk`);
    }
    this.unmapPages(p0, n);
    if (p0 + n > this.freeAreaCache) this.freeAreaCache = Math.min(this.mmapBase, p0 + n);
  }

  /** Unmaps pages: frames back to the buddy allocator, tables cleared, counters updated. */
  private unmapPages(p0: number, n: number): void {
    let mapped = 0;
    let committed = 0;
    let charged = 0;
    for (let p = p0, end = p0 + n; p < end; ) {
      const c = Math.floor(p / CHUNK_PAGES);
      const i0 = p - c * CHUNK_PAGES;
      const i1 = Math.min(this.pt.pagesIn(c), end - c * CHUNK_PAGES);
      p = c * CHUNK_PAGES + i1;
      const d = this.pt.dense(c);
      if (d === undefined) {
        const f = this.pt.uniFlags[c]!;
        if (f & PAGE_MAPPED) {
          mapped += i1 - i0;
          if (f & PAGE_WRITE) {
            committed += i1 - i0;
            charged += i1 - i0;
          }
        }
        continue;
      }
      const fl = d.flags;
      for (let i = i0; i < i1; i++) {
        const f = fl[i]!;
        if (!(f & PAGE_MAPPED)) continue;
        mapped++;
        const foreign = (f & PAGE_FOREIGN) !== 0;
        if (f & PAGE_WRITE && !foreign) committed++;
        if (!foreign && (f & PAGE_WRITE || d.frame[i] !== 0)) charged++;
      }
    }
    this.dropPages(p0, n, true);
    this.pt.set(p0, n, 0, 0, false);
    this.startAfter(p0 + n);
    this.charged -= charged;
    this.addPages(-mapped, -committed);
    this.memory.flush();
  }

  /**
   * Gives back the frames of pages [p0, p0 + n) (madvise DONTNEED; unmapping with `unmapping`):
   * each frame goes back to the buddy allocator, the page loses RESIDENT and reads as zero.
   * Foreign frames (mapFrames) are left to their taker. A non-writable page giving its frame
   * back is no longer charged (unless it is being unmapped: unmapPages uncharges it).
   */
  private dropPages(p0: number, n: number, unmapping: boolean): void {
    let freed = 0;
    for (let p = p0, end = p0 + n; p < end; ) {
      const c = Math.floor(p / CHUNK_PAGES);
      const i0 = p - c * CHUNK_PAGES;
      const i1 = Math.min(this.pt.pagesIn(c), end - c * CHUNK_PAGES);
      p = c * CHUNK_PAGES + i1;
      const d = this.pt.dense(c);
      if (d === undefined || d.framed === 0) continue;
      const base = c * CHUNK_PAGES;
      for (let i = i0; i < i1; i++) {
        const fr = d.frame[i]!;
        if (fr === 0) continue;
        const f = d.flags[i]!;
        if (!(f & PAGE_FOREIGN)) {
          this.frames.free(fr - 1, 0);
          freed++;
          if (!unmapping && !(f & PAGE_WRITE)) this.charged--;
          this.pt.setFrame(base + i, 0);
          this.pt.setFlag(base + i, f & ~PAGE_RESIDENT);
        } else if (unmapping) {
          this.pt.setFrame(base + i, 0);
        }
      }
    }
    if (freed > 0) this.addResident(-freed);
    this.memory.flush();
  }

  madvise(p0: number, n: number, addr: number): void {
    const hole = this.pt.firstLacking(p0, p0 + n, PAGE_MAPPED);
    if (hole >= 0) throw new KernelError('ENOMEM', 'madvise', `${hex(hole * this.pageSize)} is not mapped (at ${hex(addr)})`);
    this.dropPages(p0, n, false);
  }

  mprotect(p0: number, n: number, prot: number): void {
    const ps = this.pageSize;
    const hole = this.pt.firstLacking(p0, p0 + n, PAGE_MAPPED);
    if (hole >= 0) throw new KernelError('ENOMEM', 'mprotect', `${hex(hole * ps)} is not mapped`);
    const bits = protToFlags(prot);
    // What the change costs in charge: pages gaining write that hold no frame (a page with a
    // frame is charged already), less pages losing write that hold none.
    let gain = 0;
    let committed = 0;
    for (let p = p0, end = p0 + n; p < end; ) {
      const c = Math.floor(p / CHUNK_PAGES);
      const i0 = p - c * CHUNK_PAGES;
      const i1 = Math.min(this.pt.pagesIn(c), end - c * CHUNK_PAGES);
      p = c * CHUNK_PAGES + i1;
      const d = this.pt.dense(c);
      if (d === undefined) {
        const f = this.pt.uniFlags[c]!;
        const delta = (bits & PAGE_WRITE ? 1 : 0) - (f & PAGE_WRITE ? 1 : 0);
        gain += delta * (i1 - i0);
        committed += delta * (i1 - i0);
        continue;
      }
      for (let i = i0; i < i1; i++) {
        const f = d.flags[i]!;
        if (f & PAGE_FOREIGN) continue;
        const delta = (bits & PAGE_WRITE ? 1 : 0) - (f & PAGE_WRITE ? 1 : 0);
        committed += delta;
        if (d.frame[i] === 0) gain += delta;
      }
    }
    if (gain > 0 && !this.canCharge(gain)) throw new KernelError('ENOMEM', 'mprotect', `${gain} more writable pages exceed the physical memory not yet committed`);
    for (let p = p0, end = p0 + n; p < end; ) {
      const c = Math.floor(p / CHUNK_PAGES);
      const i0 = p - c * CHUNK_PAGES;
      const i1 = Math.min(this.pt.pagesIn(c), end - c * CHUNK_PAGES);
      p = c * CHUNK_PAGES + i1;
      const base = c * CHUNK_PAGES;
      const d = this.pt.dense(c);
      const whole = i0 === 0 && i1 === this.pt.pagesIn(c) && base !== p0;
      if (d === undefined && whole) {
        this.pt.uniFlags[c] = (this.pt.uniFlags[c]! & ~RW) | bits;
        continue;
      }
      const t = this.pt.densify(c);
      for (let i = i0; i < i1; i++) {
        let g = (t.flags[i]! & ~RW) | bits;
        if (base + i === p0 && !(g & PAGE_HEAP)) g |= PAGE_START;
        t.flags[i] = g;
      }
    }
    this.startAfter(p0 + n);
    this.charged += gain;
    this.addPages(0, committed);
  }

  /**
   * vmalloc's map: maps the frames `pfns` (taken with takeFrames) at consecutive pages from a
   * free range of `n = pfns.length` pages (at `addr` with MAP_FIXED_NOREPLACE semantics when
   * addr ≠ 0, else top-down). Returns the address.
   */
  mapFrames(addr: number, pfns: ArrayLike<number>, prot: number, owner: Identity | null | undefined): number {
    const ps = this.pageSize;
    const n = pfns.length;
    for (let i = 0; i < n; i++) {
      const pfn = pfns[i]!;
      if (this.frameOwnerIndex(pfn) < 0) throw new KernelError('EINVAL', 'mapFrames', `frame ${pfn} was not taken with takeFrames`);
    }
    let p0: number;
    if (addr !== 0) {
      p0 = addr / ps;
      if (!Number.isInteger(p0) || p0 < PAGED_LOW_BYTES / ps || p0 + n > this.mmapBase) throw new KernelError('EINVAL', 'mapFrames', `range ${hex(addr)}+${n * ps} is outside the mappable area`);
      const hit = this.pt.firstMapped(p0, p0 + n);
      if (hit >= 0) throw new KernelError('EEXIST', 'mapFrames', `${hex(hit * ps)} is already mapped`);
    } else {
      p0 = this.findFree(n);
      if (p0 < 0) throw new KernelError('ENOMEM', 'mapFrames', `no hole of ${n} pages`);
    }
    const bits = PAGE_MAPPED | protToFlags(prot) | PAGE_FOREIGN | PAGE_RESIDENT;
    this.pt.set(p0, n, bits, this.space.owners.indexOf(owner), true);
    for (let i = 0; i < n; i++) this.pt.setFrame(p0 + i, pfns[i]! + 1);
    this.startAfter(p0 + n);
    this.addPages(n, 0);
    this.space.f64[COUNTER.mmap]!++;
    this.memory.flush();
    return p0 * ps;
  }

  // ---------------------------------------------------------------- figures

  /** Resident pages (frames in use), synced from the frame allocator (kernel allocators may use it directly). */
  syncResident(): void {
    const i32 = this.space.i32;
    const now = this.frames.framesInUse;
    if (i32[H.residentPages] !== now) this.addResident(now - i32[H.residentPages]!);
  }

  /** Mappings among pages [p0, p1), lowest first, split where protection, owner or START changes. */
  collect(p0: number, p1: number): Mapping[] {
    const out: Mapping[] = [];
    const pt = this.pt;
    const ps = this.pageSize;
    const key = PAGE_READ | PAGE_WRITE | PAGE_HEAP;
    let cur: Mapping | null = null;
    let curKey = -1;
    let p = p0;
    const top = Math.min(p1, this.pageCount);
    while (p < top) {
      const c = Math.floor(p / CHUNK_PAGES);
      const base = c * CHUNK_PAGES;
      const i1 = Math.min(pt.pagesIn(c), top - base);
      const d = pt.dense(c);
      if (d === undefined || d.mapped === 0) {
        const f = d === undefined ? pt.uniFlags[c]! : 0;
        if (!(f & PAGE_MAPPED)) {
          cur = null;
        } else {
          const o = pt.uniOwner[c]!;
          if (cur && (f & key) === curKey && o === cur.owner) cur.end = (base + i1) * ps;
          else {
            cur = { start: p * ps, end: (base + i1) * ps, prot: (f >>> 1) & 3, heap: (f & PAGE_HEAP) !== 0, owner: o, ownerName: this.space.ownerLabel(o) };
            curKey = f & key;
            out.push(cur);
          }
        }
        p = base + i1;
        continue;
      }
      for (let i = p - base; i < i1; i++) {
        const f = d.flags[i]!;
        if (!(f & PAGE_MAPPED)) {
          cur = null;
          continue;
        }
        const o = d.owner[i]!;
        const k = f & key;
        if (cur && !(f & PAGE_START) && k === curKey && o === cur.owner) {
          cur.end = (base + i + 1) * ps;
        } else {
          cur = { start: (base + i) * ps, end: (base + i + 1) * ps, prot: (f >>> 1) & 3, heap: (f & PAGE_HEAP) !== 0, owner: o, ownerName: this.space.ownerLabel(o) };
          curKey = k;
          out.push(cur);
        }
      }
      p = base + i1;
    }
    if (p1 > this.directMapPage) this.collectDirect(out, Math.max(p0, this.directMapPage), p1);
    return out;
  }

  /** Runs of taken frames in the direct map (pages [p0, p1)), one mapping per run of one owner. */
  private collectDirect(out: Mapping[], p0: number, p1: number): void {
    const ps = this.pageSize;
    const fo = this.frameOwner;
    let cur: Mapping | null = null;
    for (let p = p0; p < p1; p++) {
      const v = fo[p - this.directMapPage]!;
      if (v === 0) {
        cur = null;
        continue;
      }
      if (cur && cur.owner === v - 1) cur.end = (p + 1) * ps;
      else {
        cur = { start: p * ps, end: (p + 1) * ps, prot: 3, heap: false, owner: v - 1, ownerName: this.space.ownerLabel(v - 1) };
        out.push(cur);
      }
    }
  }

  /**
   * The mapping holding `addr`, or null. Walks from its page to the mapping's START page and to
   * its end, passing uniform chunks whole (a reservation of terabytes is a few steps).
   */
  mappingAt(addr: number): Mapping | null {
    const p = Math.floor(addr / this.pageSize);
    if (!(this.pageFlags(p) & PAGE_MAPPED)) return null;
    if (p >= this.directMapPage) return this.collect(p, p + 1)[0] ?? null;
    const pt = this.pt;
    let s = p;
    while (s > 0 && !(pt.flag(s) & PAGE_START)) {
      const q = s - 1;
      const c = Math.floor(q / CHUNK_PAGES);
      const d = pt.dense(c);
      if (d === undefined) {
        if (!(pt.uniFlags[c]! & PAGE_MAPPED)) break;
        s = c * CHUNK_PAGES; // a uniform mapped chunk has no START page
        continue;
      }
      if (!(d.flags[q - c * CHUNK_PAGES]! & PAGE_MAPPED)) break;
      s = q;
    }
    let e = p + 1;
    while (e < this.mmapBase) {
      const c = Math.floor(e / CHUNK_PAGES);
      const d = pt.dense(c);
      if (d === undefined) {
        if (!(pt.uniFlags[c]! & PAGE_MAPPED)) break;
        e = Math.min(this.mmapBase, (c + 1) * CHUNK_PAGES);
        continue;
      }
      if ((d.flags[e - c * CHUNK_PAGES]! & (PAGE_MAPPED | PAGE_START)) !== PAGE_MAPPED) break;
      e++;
    }
    return this.collect(s, e).find((m) => m.start <= addr && addr < m.end) ?? null;
  }

  /** True when every page of [addr, addr + length) is mapped with at least the flags `need`. */
  accessible(addr: number, length: number, need: number): boolean {
    const ps = this.pageSize;
    const p0 = Math.floor(addr / ps);
    const p1 = Math.floor((addr + length - 1) / ps) + 1;
    const low = Math.min(p1, this.directMapPage);
    if (p0 < low && this.pt.firstLacking(p0, low, need) >= 0) return false;
    for (let p = Math.max(p0, this.directMapPage); p < p1; p++) if ((this.pageFlags(p) & need) !== need) return false;
    return true;
  }

  // ---------------------------------------------------------------- checked access

  private segv(addr: number, access: 'read' | 'write'): never {
    const m = Number.isInteger(addr) && addr >= 0 && addr < this.size ? this.mappingAt(addr) : null;
    throw new SegmentationFault(addr, access, m ? formatMaps([m]).trimEnd() : 'unmapped');
  }

  /** Checks [addr, addr + n) may be read (or written, then every page gets its frame). */
  check(addr: number, n: number, write: boolean): void {
    const access = write ? 'write' : 'read';
    if (!(Number.isInteger(addr) && addr >= 0 && addr + n <= this.size)) this.segv(addr, access);
    const ps = this.pageSize;
    const need = PAGE_MAPPED | (write ? PAGE_WRITE : PAGE_READ);
    const last = Math.floor((addr + n - 1) / ps);
    for (let p = Math.floor(addr / ps); p <= last; p++) {
      const f = this.pageFlags(p);
      if ((f & need) !== need) this.segv(Math.max(addr, p * ps), access);
      if (write && !(f & PAGE_RESIDENT)) this.fault(p, Math.max(addr, p * ps));
    }
  }
}
