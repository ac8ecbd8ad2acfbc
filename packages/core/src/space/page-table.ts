/*
 * PageTable: the sparse page tables of a paged address space (paged-kernel.ts), kept in
 * JavaScript typed arrays outside the space's memory.
 *
 * Structure: two levels. The space's pages are cut into chunks of CHUNK_PAGES pages (64 MiB of
 * 4 KiB pages). The top level holds, per chunk, a slot (`slot[c]`, Int32Array): 0 when the chunk
 * is UNIFORM — every page has the flags `uniFlags[c]` and owner `uniOwner[c]`, and none has a
 * frame — else 1 + the index in `pool` of its DenseChunk, with one entry per page:
 *   flags[i]  u8   page flags (layout.ts's PAGE_* bits)
 *   owner[i]  u16  owner index (0: none)
 *   frame[i]  u32  pfn + 1 of the frame behind the page (0: no frame, the page reads as zero)
 * plus the chunk's count of MAPPED pages and of pages with a frame.
 *
 * Cost: a dense chunk takes 7 bytes a page (112 KiB for 64 MiB of virtual space), a uniform one
 * 7 bytes in the top level's typed arrays, so a 2^47 space has 14 MiB of top level (2^21 chunks),
 * of which the host backs only the parts written (typed arrays start as untouched zero pages),
 * and a PROT_NONE reservation of terabytes costs nothing beyond it: a range op that covers a
 * whole chunk with one value makes (or keeps) the chunk uniform, and a dense chunk with no mapped
 * page and no frame is dropped (its pool index is reused).
 *
 * Invariants: a uniform chunk holds no frame and no START page unless its flags say so for all
 * pages (never: mappings start with one START page, so a uniform chunk has START clear);
 * dense.mapped = |{i : flags[i] & MAPPED}|, dense.framed = |{i : frame[i] ≠ 0}|; a frame is held
 * only by a MAPPED page. Page numbers reach 2^35, so they are split with division, never `>>>`.
 */

import { PAGE_MAPPED, PAGE_START } from './layout.js';

/** Pages per chunk of the page table. */
export const CHUNK_PAGES = 16384;

/** The per-page tables of one chunk that holds mixed flags or frames. */
export class DenseChunk {
  readonly flags = new Uint8Array(CHUNK_PAGES);
  readonly owner = new Uint16Array(CHUNK_PAGES);
  /** pfn + 1 of each page's frame, 0 for none. */
  readonly frame = new Uint32Array(CHUNK_PAGES);
  /** Pages with MAPPED set. */
  mapped = 0;
  /** Pages with a frame. */
  framed = 0;
}

/** Bytes a dense chunk takes. */
export const DENSE_CHUNK_BYTES = CHUNK_PAGES * 7;

export class PageTable {
  readonly pageCount: number;
  readonly chunkCount: number;
  /** Per chunk: 0 for a uniform chunk, else 1 + the index of its dense tables in `pool`. */
  readonly slot: Int32Array;
  /** Dense tables; a dropped chunk's entry is undefined and its index waits in `freeSlots`. */
  private readonly pool: (DenseChunk | undefined)[] = [];
  private readonly freeSlots: number[] = [];
  /** Per uniform chunk: the flags of all its pages. */
  readonly uniFlags: Uint8Array;
  /** Per uniform chunk: the owner of all its pages. */
  readonly uniOwner: Uint16Array;
  /** Chunks that are dense now. */
  denseChunks = 0;

  constructor(pageCount: number) {
    this.pageCount = pageCount;
    this.chunkCount = Math.ceil(pageCount / CHUNK_PAGES);
    this.slot = new Int32Array(this.chunkCount);
    this.uniFlags = new Uint8Array(this.chunkCount);
    this.uniOwner = new Uint16Array(this.chunkCount);
  }

  /** Bytes the tables take on the JavaScript heap now. */
  get tableBytes(): number {
    return this.chunkCount * 7 + this.pool.length * 8 + this.denseChunks * DENSE_CHUNK_BYTES;
  }

  /** The dense tables of chunk c, or undefined when it is uniform. */
  dense(c: number): DenseChunk | undefined {
    const i = this.slot[c]!;
    return i === 0 ? undefined : this.pool[i - 1];
  }

  /** Pages in chunk c (the last one may be short). */
  pagesIn(c: number): number {
    return Math.min(CHUNK_PAGES, this.pageCount - c * CHUNK_PAGES);
  }

  flag(p: number): number {
    const c = Math.floor(p / CHUNK_PAGES);
    const d = this.dense(c);
    return d === undefined ? this.uniFlags[c]! : d.flags[p - c * CHUNK_PAGES]!;
  }

  owner(p: number): number {
    const c = Math.floor(p / CHUNK_PAGES);
    const d = this.dense(c);
    return d === undefined ? this.uniOwner[c]! : d.owner[p - c * CHUNK_PAGES]!;
  }

  /** pfn + 1 of page p's frame, 0 when it has none. */
  frame(p: number): number {
    const c = Math.floor(p / CHUNK_PAGES);
    const d = this.dense(c);
    return d === undefined ? 0 : d.frame[p - c * CHUNK_PAGES]!;
  }

  /** The dense tables of chunk c, made from its uniform values when it has none. */
  densify(c: number): DenseChunk {
    let d = this.dense(c);
    if (d !== undefined) return d;
    d = new DenseChunk();
    const f = this.uniFlags[c]!;
    if (f !== 0) {
      const n = this.pagesIn(c);
      d.flags.fill(f, 0, n);
      d.owner.fill(this.uniOwner[c]!, 0, n);
      if (f & PAGE_MAPPED) d.mapped = n;
    }
    const free = this.freeSlots.pop();
    if (free === undefined) {
      this.pool.push(d);
      this.slot[c] = this.pool.length;
    } else {
      this.pool[free] = d;
      this.slot[c] = free + 1;
    }
    this.denseChunks++;
    return d;
  }

  /** Makes chunk c uniform with flags f and owner o (it must hold no frame). */
  private uniform(c: number, f: number, o: number): void {
    const i = this.slot[c]!;
    if (i !== 0) {
      this.pool[i - 1] = undefined;
      this.freeSlots.push(i - 1);
      this.slot[c] = 0;
      this.denseChunks--;
    }
    this.uniFlags[c] = f;
    this.uniOwner[c] = o;
  }

  /** Drops chunk c's dense tables when nothing is mapped in it and no frame is held. */
  private settle(c: number, d: DenseChunk): void {
    if (d.mapped === 0 && d.framed === 0) this.uniform(c, 0, 0);
  }

  /**
   * Sets pages [p0, p0 + n) to flags `bits` (the first page also START when `start`) and owner
   * `owner`. Returns how many of them were MAPPED before. Pages must hold no frame.
   */
  set(p0: number, n: number, bits: number, owner: number, start: boolean): number {
    let before = 0;
    const end = p0 + n;
    let p = p0;
    while (p < end) {
      const c = Math.floor(p / CHUNK_PAGES);
      const base = c * CHUNK_PAGES;
      const i0 = p - base;
      const i1 = Math.min(this.pagesIn(c), end - base);
      const d = this.dense(c);
      const whole = i0 === 0 && i1 === this.pagesIn(c) && !(start && p === p0);
      if (d === undefined && this.uniFlags[c] === bits && this.uniOwner[c] === owner && !(start && p === p0)) {
        before += bits & PAGE_MAPPED ? i1 - i0 : 0; // already so: nothing to write (unmapping a hole)
      } else if (whole && (d === undefined || d.framed === 0)) {
        before += d === undefined ? (this.uniFlags[c]! & PAGE_MAPPED ? i1 : 0) : d.mapped;
        this.uniform(c, bits, owner);
      } else {
        const t = this.densify(c);
        const fl = t.flags;
        let m = 0;
        for (let i = i0; i < i1; i++) m += fl[i]! & PAGE_MAPPED;
        before += m;
        fl.fill(bits, i0, i1);
        t.owner.fill(owner, i0, i1);
        t.mapped += (bits & PAGE_MAPPED ? i1 - i0 : 0) - m;
        if (start && p === p0) fl[i0] = bits | PAGE_START;
        this.settle(c, t);
      }
      p = base + i1;
    }
    return before;
  }

  /** Sets one page's flags (owner and frame unchanged). */
  setFlag(p: number, f: number): void {
    const c = Math.floor(p / CHUNK_PAGES);
    const d = this.densify(c);
    const i = p - c * CHUNK_PAGES;
    d.mapped += (f & PAGE_MAPPED) - (d.flags[i]! & PAGE_MAPPED);
    d.flags[i] = f;
    this.settle(c, d);
  }

  /** Records page p's frame (pfn + 1, or 0 to clear it). */
  setFrame(p: number, pfnPlus1: number): void {
    const c = Math.floor(p / CHUNK_PAGES);
    const d = this.densify(c);
    const i = p - c * CHUNK_PAGES;
    d.framed += (pfnPlus1 !== 0 ? 1 : 0) - (d.frame[i] !== 0 ? 1 : 0);
    d.frame[i] = pfnPlus1;
    this.settle(c, d);
  }

  /**
   * Top-down first fit: the highest run of n unmapped pages in [floor, top), returned as its
   * first page (so the run is [r, r + n) with r + n as high as possible), or −1. Uniform chunks
   * and dense chunks with nothing mapped are passed whole.
   */
  findDown(top: number, floor: number, n: number): number {
    let run = 0;
    let runTop = top;
    let p = top;
    while (p > floor) {
      const c = Math.floor((p - 1) / CHUNK_PAGES);
      const base = c * CHUNK_PAGES;
      const lo = Math.max(base, floor);
      const d = this.dense(c);
      if (d === undefined || d.mapped === 0) {
        if (d === undefined && this.uniFlags[c]! & PAGE_MAPPED) {
          run = 0;
        } else {
          if (run === 0) runTop = p;
          run += p - lo;
          if (run >= n) return runTop - n;
        }
        p = lo;
        continue;
      }
      const fl = d.flags;
      for (let q = p - 1; q >= lo; q--) {
        if (fl[q - base]! & PAGE_MAPPED) {
          run = 0;
        } else {
          if (run === 0) runTop = q + 1;
          if (++run >= n) return runTop - n;
        }
      }
      p = lo;
    }
    return -1;
  }

  /** True when no page of [p0, p0 + n) is MAPPED. */
  free(p0: number, n: number): boolean {
    return this.firstMapped(p0, p0 + n) < 0;
  }

  /** The first MAPPED page in [p0, p1), or −1. Skips unmapped chunks whole. */
  firstMapped(p0: number, p1: number): number {
    let p = p0;
    while (p < p1) {
      const c = Math.floor(p / CHUNK_PAGES);
      const base = c * CHUNK_PAGES;
      const i1 = Math.min(this.pagesIn(c), p1 - base);
      const d = this.dense(c);
      if (d === undefined) {
        if (this.uniFlags[c]! & PAGE_MAPPED) return p;
      } else if (d.mapped > 0) {
        const fl = d.flags;
        for (let i = p - base; i < i1; i++) if (fl[i]! & PAGE_MAPPED) return base + i;
      }
      p = base + i1;
    }
    return -1;
  }

  /** The first page in [p0, p1) whose flags lack any bit of `need`, or −1. Uniform chunks are tested once. */
  firstLacking(p0: number, p1: number, need: number): number {
    let p = p0;
    while (p < p1) {
      const c = Math.floor(p / CHUNK_PAGES);
      const base = c * CHUNK_PAGES;
      const i1 = Math.min(this.pagesIn(c), p1 - base);
      const d = this.dense(c);
      if (d === undefined) {
        if ((this.uniFlags[c]! & need) !== need) return p;
      } else {
        const fl = d.flags;
        for (let i = p - base; i < i1; i++) if ((fl[i]! & need) !== need) return base + i;
      }
      p = base + i1;
    }
    return -1;
  }

  /** The first page in [p0, p1) whose flags have any bit of `bits`, or −1. */
  firstWith(p0: number, p1: number, bits: number): number {
    let p = p0;
    while (p < p1) {
      const c = Math.floor(p / CHUNK_PAGES);
      const base = c * CHUNK_PAGES;
      const i1 = Math.min(this.pagesIn(c), p1 - base);
      const d = this.dense(c);
      if (d === undefined) {
        if (this.uniFlags[c]! & bits) return p;
      } else if (d.mapped > 0) {
        const fl = d.flags;
        for (let i = p - base; i < i1; i++) if (fl[i]! & bits) return base + i;
      }
      p = base + i1;
    }
    return -1;
  }
}
