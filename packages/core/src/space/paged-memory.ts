/*
 * PagedMemory: RawMemory (memory.ts) of a paged space (paged-kernel.ts), where an address is a
 * virtual address up to 2^47 and the bytes live in page frames of a separate physical buffer.
 *
 * Translation: the page of address a starts at a − (a & (pageSize − 1)) (`&` is exact on the low
 * bits of any integer below 2^53; `>>>` would drop the high ones). Two one-entry TLBs, one for
 * reads and one for writes, remember the last page's frame offset in the physical buffer; a
 * miss asks the page table (two array reads). A page with no frame reads as zero through the
 * read TLB (offset −1) and takes a frame on its first write (the kernel's fault path, which
 * throws SegmentationFault for an unmapped page and KernelError ENOMEM when no frame is left).
 * Pages of the direct map (directMapBase + pfn·pageSize) translate to frame pfn with no table.
 * The kernel flushes both TLBs whenever a translation changes (munmap, madvise, mmap, brk
 * shrinking, mapFrames, returnFrames), so a cached entry is never stale.
 *
 * Cost: a hit is an AND, a subtraction, a compare and the typed-array access; a miss adds a
 * division and two array reads. Multi-byte accesses follow memory.ts's alignment rules, so they
 * never straddle a page; fill, copy, isZero, equal, readInto and writeFrom walk page by page, and
 * fill with zero, isZero and reads skip pages with no frame (no frame is taken to read zeros).
 */

import { Buffer } from 'node:buffer';
import type { RawMemory } from './memory.js';
import type { PageTable } from './page-table.js';

/** What PagedMemory needs of its kernel. */
export interface FrameSource {
  readonly pt: PageTable;
  readonly pageSize: number;
  /** First page of the direct map (Infinity when the space has none). */
  readonly directMapPage: number;
  readonly totalFrames: number;
  /** The frame (pfn) of page `page` (holding `addr`) for a write, taking one when it has none. Throws on unmapped pages and when out of frames. */
  fault(page: number, addr: number): number;
}

export class PagedMemory implements RawMemory {
  readonly kind = 'paged' as const;
  readonly atomicWords: Int32Array;
  readonly atomicWords64: BigUint64Array;
  private readonly v8: Uint8Array;
  private readonly v16: Uint16Array;
  private readonly vu32: Uint32Array;
  private readonly vi32: Int32Array;
  private readonly vf64: Float64Array;
  private readonly buf: Buffer;
  private readonly mask: number;
  private readonly ps: number;
  private rPage = -1;
  private rOff = -1;
  private wPage = -1;
  private wOff = 0;

  constructor(private readonly k: FrameSource, physical: ArrayBuffer) {
    this.v8 = new Uint8Array(physical);
    this.v16 = new Uint16Array(physical);
    this.vu32 = new Uint32Array(physical);
    this.vi32 = new Int32Array(physical);
    this.vf64 = new Float64Array(physical);
    this.atomicWords = this.vi32;
    this.atomicWords64 = new BigUint64Array(physical);
    this.buf = Buffer.from(physical, 0, physical.byteLength);
    this.ps = k.pageSize;
    this.mask = k.pageSize - 1;
  }

  /** The physical buffer's bytes (frame pfn at pfn · pageSize). */
  get physicalBytes(): Uint8Array {
    return this.v8;
  }

  /** Forgets both cached translations (the kernel calls it when one changes). */
  flush(): void {
    this.rPage = -1;
    this.wPage = -1;
  }

  /** Byte offset in the physical buffer of page start `pg` for a read, or −1 when it has no frame. */
  private readBase(pg: number): number {
    return pg === this.rPage ? this.rOff : this.readMiss(pg);
  }

  /** The read TLB's miss path: walks the page table (or the direct map) and refills the entry. */
  private readMiss(pg: number): number {
    const page = pg / this.ps;
    let off: number;
    if (page >= this.k.directMapPage) {
      const pfn = page - this.k.directMapPage;
      off = pfn < this.k.totalFrames ? pfn * this.ps : -1;
    } else {
      const f = this.k.pt.frame(page);
      off = f === 0 ? -1 : (f - 1) * this.ps;
    }
    this.rPage = pg;
    this.rOff = off;
    return off;
  }

  /** Byte offset in the physical buffer of page start `pg` for a write (a frame is taken when it has none). */
  private writeBase(pg: number, a: number): number {
    return pg === this.wPage ? this.wOff : this.writeMiss(pg, a);
  }

  /**
   * The write TLB's miss path: a page with a frame is found in the page table here; the kernel's
   * fault path (out of line) handles the direct map and takes frames. Refills both entries.
   */
  private writeMiss(pg: number, a: number): number {
    const page = pg / this.ps;
    const f = page < this.k.directMapPage ? this.k.pt.frame(page) : 0;
    const off = (f !== 0 ? f - 1 : this.k.fault(page, a)) * this.ps;
    this.wPage = pg;
    this.wOff = off;
    this.rPage = pg;
    this.rOff = off;
    return off;
  }

  u8(a: number): number {
    const o = a & this.mask;
    const b = this.readBase(a - o);
    return b < 0 ? 0 : this.v8[b + o]!;
  }
  setU8(a: number, v: number): void {
    const o = a & this.mask;
    this.v8[this.writeBase(a - o, a) + o] = v;
  }
  u16(a: number): number {
    const o = a & this.mask;
    const b = this.readBase(a - o);
    return b < 0 ? 0 : this.v16[(b + o) >>> 1]!;
  }
  setU16(a: number, v: number): void {
    const o = a & this.mask;
    this.v16[(this.writeBase(a - o, a) + o) >>> 1] = v;
  }
  u32(a: number): number {
    const o = a & this.mask;
    const b = this.readBase(a - o);
    return b < 0 ? 0 : this.vu32[(b + o) >>> 2]!;
  }
  setU32(a: number, v: number): void {
    const o = a & this.mask;
    this.vu32[(this.writeBase(a - o, a) + o) >>> 2] = v;
  }
  i32(a: number): number {
    const o = a & this.mask;
    const b = this.readBase(a - o);
    return b < 0 ? 0 : this.vi32[(b + o) >>> 2]!;
  }
  setI32(a: number, v: number): void {
    const o = a & this.mask;
    this.vi32[(this.writeBase(a - o, a) + o) >>> 2] = v;
  }
  f64(a: number): number {
    const o = a & this.mask;
    const b = this.readBase(a - o);
    return b < 0 ? 0 : this.vf64[(b + o) >>> 3]!;
  }
  setF64(a: number, v: number): void {
    const o = a & this.mask;
    this.vf64[(this.writeBase(a - o, a) + o) >>> 3] = v;
  }
  atomicIndex(a: number): number {
    const o = a & this.mask;
    return (this.writeBase(a - o, a) + o) >>> 2;
  }
  atomicIndex64(a: number): number {
    const o = a & this.mask;
    return (this.writeBase(a - o, a) + o) >>> 3;
  }

  fill(a: number, len: number, byte: number): void {
    const v = byte & 0xff;
    const end = a + len;
    let at = a;
    while (at < end) {
      const o = at & this.mask;
      const n = Math.min(this.ps - o, end - at);
      const pg = at - o;
      if (v === 0 && this.readBase(pg) < 0) {
        at += n; // a page with no frame reads as zero already
        continue;
      }
      const b = this.writeBase(pg, at) + o;
      this.v8.fill(v, b, b + n);
      at += n;
    }
  }

  copy(dst: number, src: number, len: number): void {
    if (len <= 0 || dst === src) return;
    if (dst < src || dst >= src + len) {
      for (let i = 0; i < len; ) i += this.copyPiece(dst + i, src + i, len - i, false);
    } else {
      for (let i = len; i > 0; ) i -= this.copyPiece(dst + i, src + i, i, true);
    }
  }

  /**
   * Copies one piece that lies in one page of each side: forward from (dst, src), or, with
   * `back`, the piece ending at (dst, src). Returns its length.
   */
  private copyPiece(dst: number, src: number, max: number, back: boolean): number {
    let n: number;
    if (back) {
      const od = ((dst - 1) & this.mask) + 1;
      const os = ((src - 1) & this.mask) + 1;
      n = Math.min(od, os, max);
      dst -= n;
      src -= n;
    } else {
      n = Math.min(this.ps - (dst & this.mask), this.ps - (src & this.mask), max);
    }
    const so = src & this.mask;
    const sb = this.readBase(src - so);
    const dof = dst & this.mask;
    if (sb < 0) {
      if (this.readBase(dst - dof) >= 0) {
        const db = this.writeBase(dst - dof, dst) + dof;
        this.v8.fill(0, db, db + n);
      }
      return n;
    }
    const db = this.writeBase(dst - dof, dst) + dof;
    const s0 = this.readBase(src - so) + so; // the write refilled the read TLB with dst's page
    this.v8.copyWithin(db, s0, s0 + n);
    return n;
  }

  isZero(a: number, len: number): boolean {
    const end = a + len;
    let at = a;
    while (at < end) {
      const o = at & this.mask;
      const n = Math.min(this.ps - o, end - at);
      const b = this.readBase(at - o);
      if (b >= 0) {
        if (n > 64) {
          if (this.buf.compare(ZERO, 0, n, b + o, b + o + n) !== 0) return false;
        } else {
          const v = this.v8;
          for (let i = b + o, e = b + o + n; i < e; i++) if (v[i] !== 0) return false;
        }
      }
      at += n;
    }
    return true;
  }

  equal(a: number, b: number, len: number): boolean {
    let i = 0;
    while (i < len) {
      // One piece lies in one page of each side; a side with no frame reads as zero.
      const n = Math.min(this.ps - ((a + i) & this.mask), this.ps - ((b + i) & this.mask), len - i);
      const ao = (a + i) & this.mask;
      const bo = (b + i) & this.mask;
      const ab = this.readBase(a + i - ao);
      const bb = this.readBase(b + i - bo);
      if (ab < 0 && bb < 0) {
        i += n;
        continue;
      }
      if (ab < 0 || bb < 0) {
        if (!this.isZero(ab < 0 ? b + i : a + i, n)) return false;
      } else if (this.buf.compare(this.buf, bb + bo, bb + bo + n, ab + ao, ab + ao + n) !== 0) {
        return false;
      }
      i += n;
    }
    return true;
  }

  readInto(a: number, out: Uint8Array): Uint8Array {
    const len = out.length;
    let i = 0;
    while (i < len) {
      const at = a + i;
      const o = at & this.mask;
      const n = Math.min(this.ps - o, len - i);
      const b = this.readBase(at - o);
      if (b < 0) out.fill(0, i, i + n);
      else out.set(this.v8.subarray(b + o, b + o + n), i);
      i += n;
    }
    return out;
  }

  writeFrom(a: number, bytes: Uint8Array): void {
    const len = bytes.length;
    let i = 0;
    while (i < len) {
      const at = a + i;
      const o = at & this.mask;
      const n = Math.min(this.ps - o, len - i);
      const b = this.writeBase(at - o, at) + o;
      this.v8.set(bytes.subarray(i, i + n), b);
      i += n;
    }
  }
}

/** A zero page to compare pieces against (memcmp speed); pages are at most 64 KiB. */
const ZERO = Buffer.alloc(65536);
