/*
 * ZonedAllocator: hardened_malloc's design over a simulated address space — malloc, free and the
 * rest of the contract, on the state and slab lists of Zones (zones.ts); large blocks: large.ts.
 *
 * - malloc: a slab from the class's partial list, else Zones.takeSlab; a random free slot
 *   (slotRandomize) or the first one (a per-slab hint skips full words); for a reused slot the
 *   write-after-free check (it must still be zero); the canary written after the usable bytes; the
 *   requested size recorded out of band.
 * - free: the pointer is located by arithmetic (area → page table → slab record → slot) and every
 *   check made before anything changes: invalid-free, double-free (slot free or in quarantine),
 *   size-mismatch, canary-corrupted. Then zero on free, and the slot enters the class's
 *   quarantine; the slot leaving it becomes free (Zones.slotFreed).
 * - Class 0 serves malloc(0): its slots are handed out but never accessible.
 */

import { hex, type AddressSpace, type BlockInfo, type HeapFigures, type Inspection } from '@heaplab/core';
import type { ZonedInit } from './api.js';
import { RECORD_HEADER, R_ADDR, R_CANARY0, R_CANARY1, R_HELD, R_HINT, R_LIVE, R_STATE, S_FULL } from './layout.js';
import { LARGE, Zones } from './zones.js';
import { checkZoned } from './check.js';
import { inspectZoned } from './inspect.js';

export class ZonedAllocator extends Zones {
  /** Throws invalid-free or double-free for a pointer that is not a live block's start. */
  protected badPointer(ptr: number, what: string): never {
    if (this.locate(ptr) && this.lslot === ptr) {
      const held = (this.mr(this.lrec + RECORD_HEADER + this.wordsOf[this.lc]! + (this.lj >>> 5)) & (1 << (this.lj & 31))) !== 0;
      this.misuse('double-free', `${what} of ${hex(ptr)}, a ${this.slotSize[this.lc]}-byte slot that is already free${held ? ' (quarantine)' : ''}`, ptr);
    }
    if (this.large.find(ptr) === -2) this.misuse('double-free', `${what} of ${hex(ptr)}, a large region already freed (quarantine)`, ptr);
    if (ptr >= this.areaBase && ptr < this.areaEnd) this.misuse('invalid-free', `${what} of ${hex(ptr)}, which is not the start of a slot in use`, ptr);
    this.misuse('invalid-free', `${what} of ${hex(ptr)}, which is not a block of this allocator`, ptr);
  }

  // ------------------------------------------------------------------ allocation

  protected allocate(size: number, align: number): number {
    if (align <= 16) {
      if (size === 0) return this.allocSlot(0, 0);
      const need = size + this.canary;
      if (need <= this.maxSlot) {
        const c = this.classOfUnits[(need + 15) >>> 4]!;
        if (c !== LARGE) return this.allocSlot(c, size);
      }
      return this.large.allocate(size, 16);
    }
    if (align <= this.space.pageSize) {
      for (let c = 1; c < this.classes.length; c++) {
        if (this.usableOf[c]! >= size && this.slotSize[c]! % align === 0 && this.slabCount[c]! > 0) return this.allocSlot(c, size);
      }
    }
    return this.large.allocate(size, align);
  }

  protected override allocateZeroed(size: number): number {
    const p = this.allocate(size, 16);
    // Large blocks are fresh mappings; with the write-after-free check a slot was verified zero.
    if (p !== 0 && size > 0 && !this.options.writeAfterFreeCheck && p >= this.areaBase && p < this.areaEnd) this.mem.fill(p, size, 0);
    return p;
  }

  protected allocSlot(c: number, size: number): number {
    let i = this.partialHead[c]!;
    if (i < 0) {
      i = this.takeSlab(c);
      if (i < 0) {
        this.zoneFull[c]!++;
        return 0;
      }
    }
    const W = this.wordsOf[c]!;
    const rec = this.metaBase[c]! + i * this.recordOf[c]!;
    const used = rec + RECORD_HEADER;
    const n = this.slotsOf[c]!;
    // First free slot at or after a start (random, or the slab's first word with a free slot), wrapping once.
    const start = this.randomize ? this.rng.below(n) : this.mr(rec + R_HINT) << 5;
    let w = start >>> 5;
    let j = -1;
    for (let k = 0; k <= W; k++) {
      let bits = ~(this.mr(used + w) | this.mr(used + W + w));
      if (w === W - 1) bits &= this.lastMask[c]!;
      if (k === 0) bits &= -1 << (start & 31);
      if (bits !== 0) {
        j = (w << 5) + 31 - Math.clz32(bits & -bits);
        break;
      }
      w = w + 1 === W ? 0 : w + 1;
    }
    if (j < 0) throw new Error(`zoned-classes: slab ${i} of class ${c} is on the partial list with no free slot`);
    if (!this.randomize) this.mw(rec + R_HINT, j >>> 5);
    const s = this.slotSize[c]!;
    const slot = this.slabBase(c, i, rec) + j * s;
    const usable = this.usableOf[c]!;
    const bit = 1 << (j & 31);
    const dirty = used + 2 * W + (j >>> 5);
    // Only a reused slot is checked: one never handed out since the slab was made writable is
    // zero by construction (a fresh or remapped page), so the check would only read memory.
    if (this.wafCheck && this.mr(dirty) & bit && !this.zero.isZero(slot, usable)) {
      this.misuse('write-after-free', `detected write after free: the free ${s}-byte slot ${hex(slot)} was written before it was reused`, slot);
    }
    this.mw(dirty, this.mr(dirty) | (bit));
    this.mw(used + (j >>> 5), this.mr(used + (j >>> 5)) | (bit));
    const live = this.mr(rec + R_LIVE) + 1;
    this.mw(rec + R_LIVE, live);
    if (live + this.mr(rec + R_HELD) === n) {
      this.unlinkPartial(c, i, rec);
      this.mw(rec + R_STATE, S_FULL);
    }
    if (c !== 0) {
      this.mw(used + 3 * W + j, size);
      if (this.canary !== 0) {
        const mem = this.mem;
        mem.setI32(slot + usable, this.mr(rec + R_CANARY0));
        mem.setI32(slot + usable + 4, this.mr(rec + R_CANARY1));
      }
    }
    this.smallBlocks++;
    this.smallBytes += size;
    this.smallUsable += usable;
    return slot;
  }

  // ------------------------------------------------------------------ free

  protected release(ptr: number, size: number | undefined): void {
    if (!this.locate(ptr) || this.lslot !== ptr || !this.locatedLive()) {
      const k = this.large.find(ptr);
      if (k < 0) this.badPointer(ptr, 'free');
      const req = this.large.requested(k);
      if (size !== undefined && size !== req) this.misuse('size-mismatch', `free_sized(${hex(ptr)}, ${size}) of a large block of ${req} bytes`, ptr);
      this.large.free(k);
      return;
    }
    const c = this.lc;
    const i = this.li;
    const j = this.lj;
    const rec = this.lrec;
    const W = this.wordsOf[c]!;
    const usable = this.usableOf[c]!;
    const req = c === 0 ? 0 : this.mr(rec + RECORD_HEADER + 3 * W + j);
    if (size !== undefined && size !== req) this.misuse('size-mismatch', `free_sized(${hex(ptr)}, ${size}) of a block of ${req} bytes (${this.slotSize[c]}-byte class)`, ptr);
    if (this.canary !== 0 && c !== 0) this.checkCanary(ptr, usable, rec);
    // Every check passed: from here on, state changes. Zero on free, unless the slot is the last
    // one of its slab and the slab is decommitted at once (no quarantine, the empty-slab cache
    // full): the decommit replaces its pages with fresh zero pages, so the bytes are gone anyway.
    if (this.zeroFree && c !== 0 && !(!this.quarantined && this.mr(rec + R_LIVE) + this.mr(rec + R_HELD) === 1 && this.decommitsWhenEmpty(c))) this.zero.clear(ptr, usable);
    const bit = 1 << (j & 31);
    this.mw(rec + RECORD_HEADER + (j >>> 5), this.mr(rec + RECORD_HEADER + (j >>> 5)) & (~bit));
    this.mw(rec + R_LIVE, this.mr(rec + R_LIVE) - 1);
    this.smallBlocks--;
    this.smallBytes -= req;
    this.smallUsable -= usable;
    if (!this.quarantined) {
      this.slotFreed(c, i, rec, j);
      return;
    }
    this.mw(rec + RECORD_HEADER + W + (j >>> 5), this.mr(rec + RECORD_HEADER + W + (j >>> 5)) | (bit));
    this.mw(rec + R_HELD, this.mr(rec + R_HELD) + 1);
    const out = this.quarantines[c]!.push(ptr, this.rng);
    if (out !== 0) this.releaseHeld(out);
  }

  /** Throws canary-corrupted unless the 8 bytes after the usable ones of slot ptr hold its slab's canary. */
  private checkCanary(ptr: number, usable: number, rec: number): void {
    const mem = this.mem;
    if (mem.i32(ptr + usable) !== this.mr(rec + R_CANARY0) || mem.i32(ptr + usable + 4) !== this.mr(rec + R_CANARY1)) {
      this.misuse('canary-corrupted', `canary corrupted: the 8 bytes after the ${usable} usable bytes of ${hex(ptr)} were overwritten`, ptr);
    }
  }

  /**
   * What free would check, for realloc before it resizes or moves a block (AllocatorBase calls
   * it first): a live slot's start with its canary intact, or a live large region. A sized
   * check is free_sized's alone. Changes nothing.
   */
  protected override validateRelease(ptr: number): number {
    if (this.locate(ptr) && this.lslot === ptr && this.locatedLive()) {
      const c = this.lc;
      const usable = this.usableOf[c]!;
      if (this.canary !== 0 && c !== 0) this.checkCanary(ptr, usable, this.lrec);
      return usable;
    }
    const k = this.large.find(ptr);
    if (k < 0) this.badPointer(ptr, 'realloc');
    return this.large.usable(k);
  }

  // ------------------------------------------------------------------ sizes and lookup

  protected usable(ptr: number): number {
    if (this.locate(ptr) && this.lslot === ptr && this.locatedLive()) return this.usableOf[this.lc]!;
    const k = this.large.find(ptr);
    if (k < 0) this.badPointer(ptr, 'usableSize');
    return this.large.usable(k);
  }

  protected override resizeInPlace(ptr: number, size: number): number {
    if (this.locate(ptr) && this.lslot === ptr && this.locatedLive()) {
      const c = this.lc;
      const need = size + this.canary;
      if (c === 0 || need > this.maxSlot || this.classOfUnits[(need + 15) >>> 4] !== c) return 0;
      const at = this.lrec + RECORD_HEADER + 3 * this.wordsOf[c]! + this.lj;
      this.smallBytes += size - this.mr(at);
      this.mw(at, size);
      return ptr;
    }
    const k = this.large.find(ptr);
    if (k < 0 || size + this.canary <= this.maxSlot) return 0;
    return this.large.resize(k, size) ? ptr : 0;
  }

  /**
   * The freed block holding addr, for objectSize's use-after-free: a slot handed out since its
   * slab was last made writable and not live now (in the quarantine, or free again), or a large
   * region in the region quarantine. A slot of a decommitted slab, or a region unmapped after its
   * quarantine, is memory the allocator no longer tells from any other: null.
   */
  protected override freedBlockAt(addr: number): BlockInfo | null {
    if (!(Number.isInteger(addr) && addr > 0 && addr < this.space.size)) return null;
    if (this.locate(addr)) {
      const j = this.lj;
      const dirty = this.mr(this.lrec + RECORD_HEADER + 2 * this.wordsOf[this.lc]! + (j >>> 5)) & (1 << (j & 31));
      if (dirty === 0 || this.locatedLive()) return null;
      const usable = this.usableOf[this.lc]!;
      const base = this.lslot;
      return addr - base < usable || addr === base ? { base, size: usable } : null;
    }
    if (addr >= this.areaBase && addr < this.areaEnd) return null;
    const base = this.large.freedAt(addr);
    return base < 0 ? null : { base, size: this.large.usable(this.large.table.find(base)) };
  }

  /** What the zones keep at `addr`: slab, slot, quarantine (inspect.ts). */
  inspect(addr: number, brief = false): Inspection | undefined {
    return inspectZoned(this, addr, brief);
  }

  blockAt(addr: number): BlockInfo | null {
    if (!(Number.isInteger(addr) && addr > 0 && addr < this.space.size)) return null;
    if (this.locate(addr)) {
      if (!this.locatedLive()) return null;
      const usable = this.usableOf[this.lc]!;
      const base = this.lslot;
      return addr - base < usable || addr === base ? { base, size: usable } : null;
    }
    if (addr >= this.areaBase && addr < this.areaEnd) return null;
    const base = this.large.blockAt(addr);
    if (base < 0) return null;
    return { base, size: this.large.usable(this.large.find(base)) };
  }

  // ------------------------------------------------------------------ figures and check

  protected figures(): HeapFigures {
    // In the space: the records of the slabs used so far (metadata mapping), the state mapping
    // (list heads, page table, quarantines, holes) and the large table's mapping. Outside it:
    // only the tables computed from the options.
    let meta = this.stateBytes + this.large.table.bytes;
    for (let c = 0; c < this.classes.length; c++) meta += this.nextFresh[c]! * this.recordOf[c]! * 4;
    return {
      liveBlocks: this.smallBlocks + this.large.liveBlocks,
      liveBytes: this.smallBytes + this.large.liveBytes,
      usableBytes: this.smallUsable + this.large.usableBytes,
      metadataBytes: meta,
      externalBytes: this.tableBytes + this.large.table.externalBytes + (this.stateBuffer?.byteLength ?? 0),
      diagnostics: this.zoneDiagnostics(),
    };
  }

  /**
   * One line per class whose zone ran out: the class, its zone's size, the most bytes its slabs
   * can hand out, and the requests that failed for it. Empty when no zone ever ran out.
   */
  zoneDiagnostics(): string[] {
    const out: string[] = [];
    for (let c = 0; c < this.classes.length; c++) {
      const n = this.zoneFull[c]!;
      if (n === 0) continue;
      const slots = this.slabCount[c]! * this.slotsOf[c]!;
      out.push(`zone of class ${c} (${this.slotSize[c]}-byte slots) ran out: ${mib(this.zoneBytes)} zone, ${slots} slots (${mib(slots * this.usableOf[c]!)} usable); ${n} requests failed`);
    }
    return out;
  }

  check(): void {
    checkZoned(this);
  }
}

function mib(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(1)} MiB`;
}

/** Makes a zoned-classes allocator over a space: `options` is a preset name and options over it. */
export function createZonedAllocator(space: AddressSpace, options: ZonedInit = {}): ZonedAllocator {
  return new ZonedAllocator(space, options);
}
