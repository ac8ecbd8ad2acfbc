/*
 * SharedHeap: one thread's handle on the heap's shared state (layout.ts) and its slow paths,
 * all taken under the heap mutex: growing the heap (sbrk, else an mmap chunk), installing a new
 * run for a class, the metadata bump, the record pool, large blocks in their own mappings, and
 * reclaiming whole free runs when memory runs out (reclaim.ts does the gathering).
 *
 * Every address the heap stores in the space (free-list links, records, the page map, the header's
 * cursors and lists) is a 32-bit handle: the address minus `hb`, the handle base (layout.ts,
 * handleBase): 0 in a flat space, so a handle is the address itself; 2^32 below the top of the
 * mmap area in a larger space, whose mappings come top-down from there. Memory the heap takes must
 * lie in (hb, hb + 2^32): map() gives back a mapping outside it and reports no memory, and the
 * break (low addresses) is used only when hb = 0. Memory is read and written through space.raw
 * (`this.m`), at hb + handle.
 *
 * Where run memory comes from, in order: the span pool (pages of reclaimed runs, and the tail of
 * a region left behind), the current region [regionCursor, regionEnd), the break grown in place
 * (when the region ends at the break), a fresh stretch of break, an mmap chunk of growBytes.
 *
 * Invariants (under the mutex): regionCursor ≤ regionEnd, both page-aligned; heapBytes =
 * runBytesTotal + (regionEnd − regionCursor) + pooledBytes + abandonedBytes; every run is on the
 * run list exactly once and its pages map (PMAP) to its record with KIND_RUN.
 */

import { KernelError, PROT_READ, PROT_WRITE, type AddressSpace, type Identity, type RawMemory } from '@heaplab/core';
import {
  C_CARVE, CLASS_AREA, CLASS_STRIDE, F, HDR, KIND_FREED, KIND_LARGE, KIND_RUN, L_BASE, L_KIND, L_NEXT, L_PAGES, L_PREV,
  L_REQUESTED, RECORD_BYTES, REC_FREE, REC_LARGE, REC_SPAN, REGION_BRK, REGION_CHUNK, RUN_HEADER_WORDS, R_BLOCKS, R_CLASS,
  R_NEXT, R_START, WINDOW_BYTES, handleBase, type HeapLayout,
} from './layout.js';
import { lockWord, unlockWord } from './mutex.js';
import type { SizeClass } from './size-classes.js';

const RW = PROT_READ | PROT_WRITE;
const META_CHUNK = 65536;

export class SharedHeap {
  /** Byte address of the metadata region (the heap's handle). */
  readonly base: number;
  readonly shared: boolean;
  readonly ps: number;
  readonly shift: number;
  /** The space's raw memory (memory.ts). */
  readonly m: RawMemory;
  /** The handle base: a stored handle h names address hb + h (layout.ts). */
  readonly hb: number;
  /** Byte address of PMAP[0] (the entry of handle h's page at pmap + 4·(h >>> shift)). */
  readonly pmap: number;
  /** Whether run memory may come from the break (only when handles are addresses, hb = 0). */
  private readonly useBrk: boolean;
  /**
   * With a shared buffer (a flat space): a u64 view over the class area, class c's stack head at
   * 4c, its carve word at 4c + 1 (rebound when a wasm memory grows). Empty otherwise: one thread
   * reads and writes those words as u32 pairs through `m`.
   */
  b64: BigUint64Array = new BigUint64Array(0);

  constructor(
    readonly space: AddressSpace,
    base: number,
    readonly layout: HeapLayout,
    readonly classes: readonly SizeClass[],
    readonly identity: Identity,
  ) {
    this.base = base;
    this.shared = space.shared;
    this.ps = space.pageSize;
    this.shift = space.pageShift;
    this.m = space.raw;
    this.hb = handleBase(space);
    this.useBrk = this.hb === 0;
    this.pmap = base + layout.pmapOffset;
    if (this.shared) {
      this.bind();
      space.onRefresh(() => this.bind());
    }
  }

  /** (Re)makes the u64 view of the class area over the space's shared buffer. */
  private bind(): void {
    this.b64 = new BigUint64Array(this.space.buffer, this.base + CLASS_AREA, (CLASS_STRIDE / 8) * this.classes.length);
  }

  /** Byte address of class c's entry field at `off` (C_HEAD, C_CARVE, …). */
  classAt(c: number, off: number): number {
    return this.base + CLASS_AREA + c * CLASS_STRIDE + off;
  }

  lock(): void {
    const m = this.m;
    lockWord(m.atomicWords, m.atomicIndex(this.base + HDR.mutex), this.shared);
  }

  unlock(): void {
    const m = this.m;
    unlockWord(m.atomicWords, m.atomicIndex(this.base + HDR.mutex), this.shared);
  }

  word(off: number): number {
    return this.m.u32(this.base + off);
  }

  setWord(off: number, v: number): void {
    this.m.setU32(this.base + off, v);
  }

  counter(off: number): number {
    return this.m.f64(this.base + off);
  }

  addCounter(off: number, v: number): void {
    this.m.setF64(this.base + off, this.m.f64(this.base + off) + v);
  }

  /** Word k of the record (or run record) with handle r. */
  rec(r: number, k: number): number {
    return this.m.u32(this.hb + r + 4 * k);
  }

  setRec(r: number, k: number, v: number): void {
    this.m.setU32(this.hb + r + 4 * k, v);
  }

  /** The page-map entry of the page holding handle h. */
  pmapEntry(h: number): number {
    return this.m.u32(this.pmap + 4 * (h >>> this.shift));
  }

  /** Sets the page-map entries of `n` pages from handle h's page to v. */
  setPmap(h: number, n: number, v: number): void {
    const m = this.m;
    const at = this.pmap + 4 * (h >>> this.shift);
    for (let k = 0; k < n; k++) m.setU32(at + 4 * k, v);
  }

  /** The carve word of class c: its run record (handle) in `carveRec`, its next block index returned. */
  carveWord(c: number): number {
    const at = this.classAt(c, C_CARVE);
    if (this.shared) {
      const v = Atomics.load(this.b64, c * (CLASS_STRIDE / 8) + C_CARVE / 8);
      this.carveRec = Number(v >> 32n);
      return Number(v & 0xffffffffn);
    }
    this.carveRec = this.m.u32(at + 4);
    return this.m.u32(at);
  }

  /** Second result of carveWord. */
  carveRec = 0;

  // ---------------------------------------------------------------- mapping (KernelError ENOMEM → 0)

  /** Maps `bytes` read-write; returns its handle, or 0 when the space has none left inside the handle window. */
  private map(bytes: number): number {
    let a: number;
    try {
      a = this.space.mmap(0, bytes, RW, 0, this.identity);
    } catch (e) {
      if (e instanceof KernelError && e.code === 'ENOMEM') return 0;
      throw e;
    }
    if (a <= this.hb || a - this.hb + bytes > WINDOW_BYTES) {
      this.space.munmap(a, bytes);
      return 0;
    }
    return a - this.hb;
  }

  private pages(bytes: number): number {
    return Math.ceil(bytes / this.ps) * this.ps;
  }

  // ---------------------------------------------------------------- metadata bump and records (mutex held)

  /** `bytes` (multiple of 4) of zeroed metadata (a handle), or 0. */
  metaAlloc(bytes: number): number {
    const cur = this.word(HDR.metaCursor);
    if (cur !== 0 && this.word(HDR.metaEnd) - cur >= bytes) {
      this.setWord(HDR.metaCursor, cur + bytes);
      return cur;
    }
    const len = this.pages(Math.max(META_CHUNK, bytes));
    const chunk = this.map(len);
    if (chunk === 0) return 0;
    this.addCounter(F.metaChunkBytes, len);
    this.setWord(HDR.metaCursor, chunk + bytes);
    this.setWord(HDR.metaEnd, chunk + len);
    return chunk;
  }

  /** A 32-byte record from the pool (a handle), or 0. */
  recordAlloc(kind: number): number {
    let r = this.word(HDR.recordFreeList);
    if (r !== 0) this.setWord(HDR.recordFreeList, this.rec(r, L_NEXT));
    else r = this.metaAlloc(RECORD_BYTES);
    if (r !== 0) {
      this.m.fill(this.hb + r, RECORD_BYTES, 0);
      this.setRec(r, L_KIND, kind);
    }
    return r;
  }

  recordFree(r: number): void {
    this.m.fill(this.hb + r, RECORD_BYTES, 0);
    this.setRec(r, L_KIND, REC_FREE);
    this.setRec(r, L_NEXT, this.word(HDR.recordFreeList));
    this.setWord(HDR.recordFreeList, r);
  }

  // ---------------------------------------------------------------- the span pool (mutex held)

  /** Adds [addr, addr + bytes) (handles, page-aligned) to the pool, merging with neighbours. */
  poolAdd(addr: number, bytes: number): boolean {
    if (bytes === 0) return true;
    let end = addr + bytes;
    let start = addr;
    // Merge every span that touches [start, end); they are unlinked and their records freed.
    for (let prev = 0, s = this.word(HDR.spanList); s !== 0; ) {
      const next = this.rec(s, L_NEXT);
      const sa = this.rec(s, L_BASE);
      const sb = this.rec(s, L_PAGES); // bytes, for spans
      if (sa + sb === start || end === sa) {
        start = Math.min(start, sa);
        end = Math.max(end, sa + sb);
        if (prev === 0) this.setWord(HDR.spanList, next);
        else this.setRec(prev, L_NEXT, next);
        this.recordFree(s);
        s = this.word(HDR.spanList); // restart: the grown span may now touch an earlier one
        prev = 0;
        continue;
      }
      prev = s;
      s = next;
    }
    const r = this.recordAlloc(REC_SPAN);
    if (r === 0) return false;
    this.setRec(r, L_BASE, start);
    this.setRec(r, L_PAGES, end - start);
    this.setRec(r, L_NEXT, this.word(HDR.spanList));
    this.setWord(HDR.spanList, r);
    this.addCounter(F.pooledBytes, bytes);
    return true;
  }

  /** First fit from the pool (a handle), or 0. */
  private poolTake(bytes: number): number {
    for (let prev = 0, s = this.word(HDR.spanList); s !== 0; prev = s, s = this.rec(s, L_NEXT)) {
      const have = this.rec(s, L_PAGES);
      if (have < bytes) continue;
      const addr = this.rec(s, L_BASE);
      if (have === bytes) {
        const next = this.rec(s, L_NEXT);
        if (prev === 0) this.setWord(HDR.spanList, next);
        else this.setRec(prev, L_NEXT, next);
        this.recordFree(s);
      } else {
        this.setRec(s, L_BASE, addr + bytes);
        this.setRec(s, L_PAGES, have - bytes);
      }
      this.addCounter(F.pooledBytes, -bytes);
      return addr;
    }
    return 0;
  }

  // ---------------------------------------------------------------- run memory (mutex held)

  /** Leaves the current region: its page-aligned tail goes to the pool. */
  private retireRegion(): void {
    const cur = this.word(HDR.regionCursor);
    const end = this.word(HDR.regionEnd);
    if (end > cur && !this.poolAdd(cur, end - cur)) this.addCounter(F.abandonedBytes, end - cur);
    this.setWord(HDR.regionCursor, 0);
    this.setWord(HDR.regionEnd, 0);
  }

  private sbrk(incr: number): number {
    if (!this.useBrk) return -1;
    try {
      return this.space.sbrk(incr, this.identity);
    } catch (e) {
      if (e instanceof KernelError && e.code === 'ENOMEM') return -1;
      throw e;
    }
  }

  /** `bytes` (page multiple) of page-aligned memory for a run (a handle), or 0 when the heap can grow no more. */
  takeRunMemory(bytes: number): number {
    const pooled = this.poolTake(bytes);
    if (pooled !== 0) return pooled;
    let cur = this.word(HDR.regionCursor);
    let end = this.word(HDR.regionEnd);
    if (end - cur < bytes) {
      const grow = this.pages(Math.max(this.word(HDR.growBytes), bytes));
      // With the break in use (hb = 0) handles are addresses, so they compare with it directly.
      const brk = this.space.currentBrk;
      if (this.useBrk && this.word(HDR.regionKind) === REGION_BRK && end === brk && end !== 0) {
        // Grow the break in place: the region just gets longer.
        const more = this.pages(Math.max(this.word(HDR.growBytes), bytes - (end - cur)));
        if (this.sbrk(more) >= 0) {
          this.addCounter(F.heapBytes, more);
          end += more;
          this.setWord(HDR.regionEnd, end);
        }
      }
      if (end - cur < bytes) {
        // A fresh stretch of break (someone else moved it, or this is the first), else a chunk.
        const pad = this.pages(brk) - brk;
        const old = this.sbrk(pad + grow);
        let start = 0;
        let kind = REGION_BRK;
        if (old >= 0) {
          // The break may have moved since it was read: keep the page-aligned part of what was added.
          const top = old + pad + grow;
          start = this.pages(old);
          end = Math.floor(top / this.ps) * this.ps;
          this.addCounter(F.heapBytes, pad + grow);
          this.addCounter(F.abandonedBytes, start - old + (top - end));
        } else {
          start = this.map(grow);
          kind = REGION_CHUNK;
          end = start + grow;
          if (start !== 0) this.addCounter(F.heapBytes, grow);
        }
        if (start === 0) return 0;
        this.retireRegion();
        cur = start;
        this.setWord(HDR.regionKind, kind);
        this.setWord(HDR.regionEnd, end);
      }
    }
    this.setWord(HDR.regionCursor, cur + bytes);
    return cur;
  }

  /**
   * Makes sure class c has a run with uncarved blocks: installs a new one unless another thread
   * did meanwhile. Returns false when no memory (or metadata) is left. Mutex held by the caller.
   */
  installRun(c: SizeClass): boolean {
    const i0 = this.carveWord(c.index);
    const rec0 = this.carveRec;
    if (rec0 !== 0 && i0 < this.rec(rec0, R_BLOCKS)) return true;
    const start = this.takeRunMemory(c.runBytes);
    if (start === 0) return false;
    const rec = this.metaAlloc(4 * (RUN_HEADER_WORDS + c.blocks));
    if (rec === 0) {
      this.poolAdd(start, c.runBytes);
      return false;
    }
    this.setRec(rec, R_NEXT, this.word(HDR.runList));
    this.setRec(rec, R_START, start);
    this.setRec(rec, R_CLASS, c.index);
    this.setRec(rec, R_BLOCKS, c.blocks);
    this.setWord(HDR.runList, rec);
    this.setPmap(start, c.runBytes >>> this.shift, (rec | KIND_RUN) >>> 0);
    this.addCounter(F.runBytesTotal, c.runBytes);
    this.addCounter(F.slackBytes, c.slack);
    const at = this.classAt(c.index, C_CARVE);
    if (this.shared) {
      Atomics.store(this.b64, c.index * (CLASS_STRIDE / 8) + C_CARVE / 8, BigInt(rec) << 32n);
    } else {
      this.m.setU32(at, 0);
      this.m.setU32(at + 4, rec);
    }
    return true;
  }

  // ---------------------------------------------------------------- large blocks (own mappings)

  /** Maps a large block of `size` bytes aligned to `align`; returns its address or 0. Takes the mutex. */
  allocLarge(size: number, align: number): number {
    const ps = this.ps;
    const len = this.pages(Math.max(size, 1));
    if (len + (align > ps ? align : 0) > Math.min(this.space.size, WINDOW_BYTES)) return 0;
    this.lock();
    try {
      const r = this.recordAlloc(REC_LARGE);
      if (r === 0) return 0;
      const hb = this.hb;
      let base: number; // a handle
      if (align <= ps) {
        base = this.map(len);
      } else {
        const raw = this.map(len + align);
        base = raw === 0 ? 0 : Math.ceil((hb + raw) / align) * align - hb;
        if (raw !== 0) {
          if (base > raw) this.space.munmap(hb + raw, base - raw);
          const tail = raw + len + align - (base + len);
          if (tail > 0) this.space.munmap(hb + base + len, tail);
        }
      }
      if (base === 0) {
        this.recordFree(r);
        return 0;
      }
      const head = this.word(HDR.largeList);
      this.setRec(r, L_BASE, base);
      this.setRec(r, L_PAGES, len / ps);
      this.setRec(r, L_REQUESTED, size);
      this.setRec(r, L_NEXT, head);
      this.setRec(r, L_PREV, 0);
      if (head !== 0) this.setRec(head, L_PREV, r);
      this.setWord(HDR.largeList, r);
      this.setPmap(base, len / ps, (r | KIND_LARGE) >>> 0);
      this.addCounter(F.largeBlocks, 1);
      this.addCounter(F.largeBytes, len);
      return hb + base;
    } finally {
      this.unlock();
    }
  }

  /**
   * The record (handle) of the live large block starting at handle h, or a negative code: −1 not
   * a block of ours, −2 freed already. Mutex held by the caller (so two racing frees see one winner).
   */
  largeRecordOf(h: number): number {
    if (!(h > 0 && h < WINDOW_BYTES)) return -1;
    const e = this.pmapEntry(h);
    if ((e & 3) === KIND_FREED && h % this.ps === 0) return -2;
    if ((e & 3) !== KIND_LARGE || this.rec(e - KIND_LARGE, L_BASE) !== h) return -1;
    return e - KIND_LARGE;
  }

  /** Unmaps a live large block (record handle r). Mutex held by the caller. */
  freeLarge(r: number): void {
    const base = this.rec(r, L_BASE);
    const pages = this.rec(r, L_PAGES);
    const next = this.rec(r, L_NEXT);
    const prev = this.rec(r, L_PREV);
    if (prev === 0) this.setWord(HDR.largeList, next);
    else this.setRec(prev, L_NEXT, next);
    if (next !== 0) this.setRec(next, L_PREV, prev);
    this.setPmap(base, pages, 0);
    this.setPmap(base, 1, KIND_FREED);
    this.recordFree(r);
    this.addCounter(F.largeBlocks, -1);
    this.addCounter(F.largeBytes, -pages * this.ps);
    this.space.munmap(this.hb + base, pages * this.ps);
  }
}
