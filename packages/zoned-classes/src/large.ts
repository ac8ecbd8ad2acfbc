/*
 * Large allocations: each in its own mapping, with guard pages on both sides, kept in a
 * LargeTable keyed by the block's address; freed regions pass through a region quarantine.
 *
 * One region (page-aligned):
 *
 *   base                 ptr                                ptr + dataPages·page
 *   | guard (PROT_NONE)  | data (READ|WRITE), usable bytes  | guard (PROT_NONE) |
 *     guardBefore pages     dataPages pages                     guardAfter pages
 *
 * Guards are a random 1 … ⌊dataPages / guardSizeDivisor⌋ pages each (hardened_malloc's
 * get_guard_size). With largeSizeClasses the request is first rounded to four classes per
 * doubling. The usable size is the whole data run, so one byte past it is in a guard.
 * A region is made with one PROT_NONE mmap and one mprotect of its data (aligned requests
 * over-map and give back the excess).
 *
 * Placement: a range an unmapped region gave back when one fits (large-holes.ts), else new
 * address space next-fit (reserve()).
 *
 * Free: regions under regionQuarantineSkipThreshold have their data remapped PROT_NONE (pages
 * given back, any access faults) and enter the quarantine, still in the table marked
 * quarantined; the region that leaves the quarantine is unmapped and leaves the table. Others
 * are unmapped at once. When an mmap fails, the quarantine is emptied and the mmap tried again.
 *
 * State in the space: the table's arrays are a mapping of their own (large-table.ts); the
 * quarantine's arrays and the holes are bound to views of the state mapping by Zones (state.ts).
 *
 * Invariants: for each live entry, its data pages are writable and owned by the allocator and
 * its guards PROT_NONE; each quarantined entry's data is PROT_NONE and it is in the quarantine
 * exactly once; liveBlocks / liveBytes / usableBytes are the sums over live entries.
 */

import { KernelError, MAP_FIXED, PROT_NONE, PROT_READ, PROT_WRITE, hex, type AddressSpace, type Identity } from '@heaplab/core';
import type { ZonedOptions } from './api.js';
import { LargeHoles } from './large-holes.js';
import { LargeTable, type TableStorage } from './large-table.js';
import { Quarantine } from './quarantine.js';
import type { Random } from './random.js';

const RW = PROT_READ | PROT_WRITE;

export class LargeRegions {
  readonly table: LargeTable;
  readonly quarantine: Quarantine;
  liveBlocks = 0;
  liveBytes = 0;
  usableBytes = 0;
  private readonly ps: number;
  private readonly shift: number;
  /** Where the last region made in new address space went: the next one is hinted just below it. */
  private cursor = 0;
  /** Ranges unmapped regions gave back, reused first. */
  readonly holes = new LargeHoles();

  constructor(
    private readonly space: AddressSpace,
    private readonly identity: Identity,
    private readonly ownerIndex: number,
    private readonly options: Readonly<ZonedOptions>,
    private readonly rng: Random,
  ) {
    this.ps = space.pageSize;
    this.shift = space.pageShift;
    const storage: TableStorage = { space, map: (bytes) => this.mapTable(bytes), unmap: (addr, bytes) => space.munmap(addr, Math.ceil(bytes / this.ps) * this.ps) };
    // A paged space has no buffer to view: there the table is JavaScript arrays (externalBytes).
    this.table = new LargeTable(space.pageShift, 6, space.raw.kind === 'flat' ? storage : null);
    this.quarantine = new Quarantine(options.regionQuarantineRandomLength, options.regionQuarantineQueueLength);
  }

  /** A writable mapping for the table's arrays, or 0 (after emptying the quarantine once) when the space is full. */
  private mapTable(bytes: number): number {
    const len = Math.ceil(bytes / this.ps) * this.ps;
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        return this.space.mmap(0, len, RW, 0, this.identity);
      } catch (e) {
        if (!(e instanceof KernelError) || e.code !== 'ENOMEM') throw e;
        if (attempt === 0 && !this.flush()) return 0;
      }
    }
    return 0;
  }

  private guardPages(dataPages: number): number {
    return 1 + this.rng.below(Math.max(1, Math.floor(dataPages / this.options.guardSizeDivisor)));
  }

  /**
   * A PROT_NONE mapping of `pages` pages, or 0; empties the quarantine and retries once on ENOMEM.
   * The address is hinted: first a range an unmapped region gave back (large-holes.ts: the
   * smallest that fits, as Linux reuses the highest hole that fits), else next-fit in new address
   * space just below the last region made there, wrapping to the top of the space when the hint
   * would reach the program break. The simulated kernel takes a hint after checking the range is
   * free, instead of scanning its page bitmap from the top for a hole (Linux finds a hole in its
   * VMA tree in O(log n); the simulation scans).
   */
  private reserve(pages: number): number {
    if (pages > this.space.pageCount) return 0;
    const bytes = pages * this.ps;
    for (let attempt = 0; attempt < 2; attempt++) {
      const reuse = this.holes.take(pages);
      let hint = reuse >= 0 ? reuse * this.ps : (this.cursor === 0 ? this.space.size : this.cursor) - bytes;
      if (hint <= this.space.currentBrk + this.ps) hint = this.space.size - bytes;
      try {
        const base = this.space.mmap(hint, bytes, PROT_NONE, 0, this.identity);
        if (reuse < 0) this.cursor = base;
        return base;
      } catch (e) {
        if (!(e instanceof KernelError) || e.code !== 'ENOMEM') throw e;
        if (attempt === 0 && !this.flush()) return 0;
      }
    }
    return 0;
  }

  /**
   * Data pages of a region for `size` bytes: with largeSizeClasses the size is first rounded up
   * to the next of four classes per doubling, continuing the slab classes (hardened_malloc's
   * get_large_size_class: 160, 192, 224, 256 KiB, …), so regions of nearby sizes are alike.
   */
  private pagesFor(size: number): number {
    let bytes = Math.max(size, 1);
    if (this.options.largeSizeClasses) {
      const s = Math.max(bytes, 4096);
      const spacing = 2 ** (Math.floor(Math.log2(s - 1)) - 2);
      bytes = Math.ceil(s / spacing) * spacing;
    }
    return Math.ceil(bytes / this.ps);
  }

  /** A large block of ≥ size bytes aligned to `align`, or 0. */
  allocate(size: number, align: number): number {
    const ps = this.ps;
    if (!this.table.ensureRoom()) return 0;
    const dataPages = this.pagesFor(size);
    const before = this.guardPages(dataPages);
    const after = this.guardPages(dataPages);
    const extra = align > ps ? align / ps - 1 : 0;
    const total = before + dataPages + after + extra;
    const base = this.reserve(total);
    if (base === 0) return 0;
    let ptr = base + before * ps;
    if (extra > 0) {
      ptr = Math.ceil(ptr / align) * align;
      const lead = ptr - before * ps - base;
      if (lead > 0) {
        this.space.munmap(base, lead);
        this.holes.add(base / ps, lead / ps);
      }
      const end = ptr + (dataPages + after) * ps;
      const rawEnd = base + total * ps;
      if (rawEnd > end) {
        this.space.munmap(end, rawEnd - end);
        this.holes.add(end / ps, (rawEnd - end) / ps);
      }
    }
    this.space.mprotect(ptr, dataPages * ps, RW);
    this.table.insert(ptr, dataPages, before, after, size);
    this.liveBlocks++;
    this.liveBytes += size;
    this.usableBytes += dataPages * ps;
    return ptr;
  }

  /** Table slot of the live block at ptr, or −1 (−2 when ptr is a quarantined, i.e. freed, block). */
  find(ptr: number): number {
    if (ptr % this.ps !== 0) return -1;
    const k = this.table.find(ptr);
    if (k < 0) return -1;
    return this.table.quarantined[k] ? -2 : k;
  }

  usable(k: number): number {
    return this.table.dataPages[k]! * this.ps;
  }

  requested(k: number): number {
    return this.table.requested[k]!;
  }

  /** Frees the live block in slot k (checks already done). */
  free(k: number): void {
    const t = this.table;
    const ptr = t.keys[k]!;
    const dataPages = t.dataPages[k]!;
    this.liveBlocks--;
    this.liveBytes -= t.requested[k]!;
    this.usableBytes -= dataPages * this.ps;
    const regionBytes = (t.guardBefore[k]! + dataPages + t.guardAfter[k]!) * this.ps;
    if (this.quarantine.disabled || regionBytes >= this.options.regionQuarantineSkipThreshold) {
      this.unmapRegion(k);
      return;
    }
    this.space.mmap(ptr, dataPages * this.ps, PROT_NONE, MAP_FIXED, this.identity);
    t.quarantined[k] = 1;
    const out = this.quarantine.push(ptr, this.rng);
    if (out !== 0) this.unmapRegion(t.find(out));
  }

  /** Resizes in place when the page count stays the same. */
  resize(k: number, size: number): boolean {
    const t = this.table;
    if (this.pagesFor(size) !== t.dataPages[k]) return false;
    this.liveBytes += size - t.requested[k]!;
    t.requested[k] = size;
    return true;
  }

  private unmapRegion(k: number): void {
    const t = this.table;
    const ptr = t.keys[k]!;
    const base = ptr - t.guardBefore[k]! * this.ps;
    const pages = t.guardBefore[k]! + t.dataPages[k]! + t.guardAfter[k]!;
    this.space.munmap(base, pages * this.ps);
    this.holes.add(base / this.ps, pages);
    t.removeAt(k);
  }

  /** Unmaps every quarantined region. Returns true when there was any. */
  flush(): boolean {
    const held = this.quarantine.drain();
    for (const ptr of held) this.unmapRegion(this.table.find(ptr));
    return held.length > 0;
  }

  /** Base of the live large block holding addr, or −1: walks down the writable pages of the region. */
  blockAt(addr: number): number {
    const space = this.space;
    for (let p = Math.floor(addr / this.ps); p > 0; p--) {
      const a = p * this.ps;
      if (space.ownerIndexAt(a) !== this.ownerIndex || space.protAt(a) !== RW) return -1;
      const k = this.table.find(a);
      if (k >= 0) return this.table.quarantined[k] || addr >= a + this.table.dataPages[k]! * this.ps ? -1 : a;
    }
    return -1;
  }

  /** Base of the quarantined (freed) large block whose data pages hold addr, or −1. */
  freedAt(addr: number): number {
    const t = this.table;
    for (let k = 0; k < t.capacity; k++) {
      if (!t.used(k) || t.quarantined[k] !== 1) continue;
      const p = t.keys[k]!;
      if (addr >= p && addr < p + t.dataPages[k]! * this.ps) return p;
    }
    return -1;
  }

  /** Checks every entry; calls fail with what is wrong. */
  check(fail: (what: string) => never): void {
    const ownerIndex = this.ownerIndex;
    const t = this.table;
    const space = this.space;
    const ps = this.ps;
    let live = 0;
    let bytes = 0;
    let usable = 0;
    let held = 0;
    for (let k = 0; k < t.capacity; k++) {
      if (!t.used(k)) continue;
      const ptr = t.keys[k]!;
      const at = `large block ${hex(ptr)}`;
      if (t.find(ptr) !== k) fail(`${at}: not reachable from its hash`);
      const data = t.dataPages[k]! * ps;
      const before = t.guardBefore[k]! * ps;
      const after = t.guardAfter[k]! * ps;
      const q = t.quarantined[k] === 1;
      for (let a = ptr - before; a < ptr + data + after; a += ps) {
        if (space.ownerIndexAt(a) !== ownerIndex) fail(`${at}: page ${hex(a)} is not owned by the allocator`);
        const want = !q && a >= ptr && a < ptr + data ? RW : PROT_NONE;
        if (space.protAt(a) !== want) fail(`${at}: page ${hex(a)} has protection ${space.protAt(a)}, expected ${want}${want === PROT_NONE ? (a < ptr || a >= ptr + data ? ' (guard)' : ' (quarantined)') : ''}`);
      }
      if (q) {
        held++;
      } else {
        if (t.requested[k]! > data) fail(`${at}: requested ${t.requested[k]} bytes, more than its ${data} data bytes`);
        live++;
        bytes += t.requested[k]!;
        usable += data;
      }
    }
    if (live !== this.liveBlocks || bytes !== this.liveBytes || usable !== this.usableBytes) {
      fail(`large table holds ${live} blocks / ${bytes} requested / ${usable} usable bytes, the counters say ${this.liveBlocks} / ${this.liveBytes} / ${this.usableBytes}`);
    }
    const q = this.quarantine.entries();
    if (q.length !== held) fail(`${held} large regions are marked quarantined, the quarantine holds ${q.length}`);
    for (const ptr of q) {
      const k = t.find(ptr);
      if (k < 0 || !t.quarantined[k]) fail(`region quarantine holds ${hex(ptr)}, which the table does not mark quarantined`);
    }
  }
}
