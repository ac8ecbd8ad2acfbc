/*
 * SharedHeap: one thread's handle on the heap's shared state (layout.ts) and its slow paths,
 * all taken under the heap mutex: growing the heap (sbrk, else an mmap chunk), installing a new
 * run for a class, the metadata bump, the record pool, large blocks in their own mappings, and
 * reclaiming whole free runs when memory runs out (reclaim.ts does the gathering).
 *
 * Where run memory comes from, in order: the span pool (pages of reclaimed runs, and the tail of
 * a region left behind), the current region [regionCursor, regionEnd), the break grown in place
 * (when the region ends at the break), a fresh stretch of break, an mmap chunk of growBytes.
 *
 * Invariants (under the mutex): regionCursor ≤ regionEnd, both page-aligned; heapBytes =
 * runBytesTotal + (regionEnd − regionCursor) + pooledBytes + abandonedBytes; every run is on the
 * run list exactly once and its pages map (PMAP) to its record with KIND_RUN.
 */

import { KernelError, PROT_READ, PROT_WRITE, type AddressSpace, type Identity } from '@heaplab/core';
import {
  C_CARVE, CLASS_AREA, CLASS_STRIDE, F, HDR, KIND_FREED, KIND_LARGE, KIND_RUN, L_BASE, L_KIND, L_NEXT, L_PAGES, L_PREV,
  L_REQUESTED, RECORD_BYTES, REC_FREE, REC_LARGE, REC_SPAN, REGION_BRK, REGION_CHUNK, RUN_HEADER_WORDS, R_BLOCKS, R_CLASS,
  R_NEXT, R_START, type HeapLayout,
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
  u32!: Uint32Array;
  i32!: Int32Array;
  f64!: Float64Array;
  /** u64 view over the class area: class c's stack head at 4c, its carve word at 4c + 1. */
  b64!: BigUint64Array;
  /** u32 index of the header's first word and of PMAP[0]. */
  readonly h: number;
  readonly pmap: number;

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
    this.h = base >>> 2;
    this.pmap = (base + layout.pmapOffset) >>> 2;
    this.bind();
  }

  /** (Re)binds the views; called again when a wasm-backed space's buffer changes. */
  bind(): void {
    const s = this.space;
    this.u32 = s.u32;
    this.i32 = s.i32;
    this.f64 = s.f64;
    this.b64 = new BigUint64Array(s.buffer, this.base + CLASS_AREA, (CLASS_STRIDE / 8) * this.classes.length);
  }

  lock(): void {
    lockWord(this.i32, this.h + HDR.mutex / 4, this.shared);
  }

  unlock(): void {
    unlockWord(this.i32, this.h + HDR.mutex / 4, this.shared);
  }

  word(off: number): number {
    return this.u32[this.h + off / 4]!;
  }

  setWord(off: number, v: number): void {
    this.u32[this.h + off / 4] = v;
  }

  counter(off: number): number {
    return this.f64[(this.base + off) / 8]!;
  }

  addCounter(off: number, v: number): void {
    this.f64[(this.base + off) / 8]! += v;
  }

  // ---------------------------------------------------------------- mapping (KernelError ENOMEM → 0)

  private map(bytes: number): number {
    try {
      return this.space.mmap(0, bytes, RW, 0, this.identity);
    } catch (e) {
      if (e instanceof KernelError && e.code === 'ENOMEM') return 0;
      throw e;
    }
  }

  private pages(bytes: number): number {
    return Math.ceil(bytes / this.ps) * this.ps;
  }

  // ---------------------------------------------------------------- metadata bump and records (mutex held)

  /** `bytes` (multiple of 4) of zeroed metadata, or 0. */
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

  /** A 32-byte record from the pool, or 0. */
  recordAlloc(kind: number): number {
    let r = this.word(HDR.recordFreeList);
    if (r !== 0) this.setWord(HDR.recordFreeList, this.u32[(r >>> 2) + L_NEXT]!);
    else r = this.metaAlloc(RECORD_BYTES);
    if (r !== 0) {
      this.u32.fill(0, r >>> 2, (r + RECORD_BYTES) >>> 2);
      this.u32[(r >>> 2) + L_KIND] = kind;
    }
    return r;
  }

  recordFree(r: number): void {
    const w = r >>> 2;
    this.u32.fill(0, w, w + RECORD_BYTES / 4);
    this.u32[w + L_KIND] = REC_FREE;
    this.u32[w + L_NEXT] = this.word(HDR.recordFreeList);
    this.setWord(HDR.recordFreeList, r);
  }

  // ---------------------------------------------------------------- the span pool (mutex held)

  /** Adds [addr, addr + bytes) (page-aligned) to the pool, merging with neighbours. */
  poolAdd(addr: number, bytes: number): boolean {
    if (bytes === 0) return true;
    const u32 = this.u32;
    let end = addr + bytes;
    let start = addr;
    // Merge every span that touches [start, end); they are unlinked and their records freed.
    for (let prev = 0, s = this.word(HDR.spanList); s !== 0; ) {
      const w = s >>> 2;
      const next = u32[w + L_NEXT]!;
      const sa = u32[w + L_BASE]!;
      const sb = u32[w + L_PAGES]!; // bytes, for spans
      if (sa + sb === start || end === sa) {
        start = Math.min(start, sa);
        end = Math.max(end, sa + sb);
        if (prev === 0) this.setWord(HDR.spanList, next);
        else u32[(prev >>> 2) + L_NEXT] = next;
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
    u32[(r >>> 2) + L_BASE] = start;
    u32[(r >>> 2) + L_PAGES] = end - start;
    u32[(r >>> 2) + L_NEXT] = this.word(HDR.spanList);
    this.setWord(HDR.spanList, r);
    this.addCounter(F.pooledBytes, bytes);
    return true;
  }

  /** First fit from the pool, or 0. */
  private poolTake(bytes: number): number {
    const u32 = this.u32;
    for (let prev = 0, s = this.word(HDR.spanList); s !== 0; prev = s, s = u32[(s >>> 2) + L_NEXT]!) {
      const w = s >>> 2;
      const have = u32[w + L_PAGES]!;
      if (have < bytes) continue;
      const addr = u32[w + L_BASE]!;
      if (have === bytes) {
        const next = u32[w + L_NEXT]!;
        if (prev === 0) this.setWord(HDR.spanList, next);
        else u32[(prev >>> 2) + L_NEXT] = next;
        this.recordFree(s);
      } else {
        u32[w + L_BASE] = addr + bytes;
        u32[w + L_PAGES] = have - bytes;
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
    try {
      return this.space.sbrk(incr, this.identity);
    } catch (e) {
      if (e instanceof KernelError && e.code === 'ENOMEM') return -1;
      throw e;
    }
  }

  /** `bytes` (page multiple) of page-aligned memory for a run, or 0 when the heap can grow no more. */
  takeRunMemory(bytes: number): number {
    const pooled = this.poolTake(bytes);
    if (pooled !== 0) return pooled;
    let cur = this.word(HDR.regionCursor);
    let end = this.word(HDR.regionEnd);
    if (end - cur < bytes) {
      const grow = this.pages(Math.max(this.word(HDR.growBytes), bytes));
      const brk = this.space.currentBrk;
      if (this.word(HDR.regionKind) === REGION_BRK && end === brk && end !== 0) {
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
    const ci = c.index * (CLASS_STRIDE / 8) + C_CARVE / 8;
    const v = Atomics.load(this.b64, ci);
    const rec0 = Number(v >> 32n);
    if (rec0 !== 0 && Number(v & 0xffffffffn) < this.u32[(rec0 >>> 2) + R_BLOCKS]!) return true;
    const start = this.takeRunMemory(c.runBytes);
    if (start === 0) return false;
    const rec = this.metaAlloc(4 * (RUN_HEADER_WORDS + c.blocks));
    if (rec === 0) {
      this.poolAdd(start, c.runBytes);
      return false;
    }
    const u32 = this.u32;
    const w = rec >>> 2;
    u32[w + R_NEXT] = this.word(HDR.runList);
    u32[w + R_START] = start;
    u32[w + R_CLASS] = c.index;
    u32[w + R_BLOCKS] = c.blocks;
    this.setWord(HDR.runList, rec);
    const first = start >>> this.shift;
    const n = c.runBytes >>> this.shift;
    u32.fill((rec | KIND_RUN) >>> 0, this.pmap + first, this.pmap + first + n);
    this.addCounter(F.runBytesTotal, c.runBytes);
    this.addCounter(F.slackBytes, c.slack);
    Atomics.store(this.b64, ci, BigInt(rec) << 32n);
    return true;
  }

  // ---------------------------------------------------------------- large blocks (own mappings)

  /** Maps a large block of `size` bytes aligned to `align`; returns its address or 0. Takes the mutex. */
  allocLarge(size: number, align: number): number {
    const ps = this.ps;
    const len = this.pages(Math.max(size, 1));
    if (len + (align > ps ? align : 0) > this.space.size) return 0;
    this.lock();
    try {
      const r = this.recordAlloc(REC_LARGE);
      if (r === 0) return 0;
      let base: number;
      if (align <= ps) {
        base = this.map(len);
      } else {
        const raw = this.map(len + align);
        base = raw === 0 ? 0 : Math.ceil(raw / align) * align;
        if (raw !== 0) {
          if (base > raw) this.space.munmap(raw, base - raw);
          const tail = raw + len + align - (base + len);
          if (tail > 0) this.space.munmap(base + len, tail);
        }
      }
      if (base === 0) {
        this.recordFree(r);
        return 0;
      }
      const u32 = this.u32;
      const w = r >>> 2;
      const head = this.word(HDR.largeList);
      u32[w + L_BASE] = base;
      u32[w + L_PAGES] = len >>> this.shift;
      u32[w + L_REQUESTED] = size;
      u32[w + L_NEXT] = head;
      u32[w + L_PREV] = 0;
      if (head !== 0) u32[(head >>> 2) + L_PREV] = r;
      this.setWord(HDR.largeList, r);
      const first = base >>> this.shift;
      u32.fill((r | KIND_LARGE) >>> 0, this.pmap + first, this.pmap + first + (len >>> this.shift));
      this.addCounter(F.largeBlocks, 1);
      this.addCounter(F.largeBytes, len);
      return base;
    } finally {
      this.unlock();
    }
  }

  /**
   * The record of the live large block starting at ptr, or a negative code: −1 not a block of
   * ours, −2 freed already. Mutex held by the caller (so two racing frees see one winner).
   */
  largeRecordOf(ptr: number): number {
    const p = ptr >>> this.shift;
    const e = this.u32[this.pmap + p]!;
    if ((e & 3) === KIND_FREED && (p << this.shift) >>> 0 === ptr) return -2;
    if ((e & 3) !== KIND_LARGE || this.u32[(e >>> 2) + L_BASE] !== ptr) return -1;
    return (e >>> 2) * 4;
  }

  /** Unmaps a live large block (record r). Mutex held by the caller. */
  freeLarge(r: number): void {
    const u32 = this.u32;
    const w = r >>> 2;
    const base = u32[w + L_BASE]!;
    const pages = u32[w + L_PAGES]!;
    const next = u32[w + L_NEXT]!;
    const prev = u32[w + L_PREV]!;
    if (prev === 0) this.setWord(HDR.largeList, next);
    else u32[(prev >>> 2) + L_NEXT] = next;
    if (next !== 0) u32[(next >>> 2) + L_PREV] = prev;
    const first = base >>> this.shift;
    u32.fill(0, this.pmap + first, this.pmap + first + pages);
    u32[this.pmap + first] = KIND_FREED;
    this.recordFree(r);
    this.addCounter(F.largeBlocks, -1);
    this.addCounter(F.largeBytes, -pages * this.ps);
    this.space.munmap(base, pages * this.ps);
  }
}
