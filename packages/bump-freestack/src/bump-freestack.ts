/*
 * bump-freestack: Rich Felker's first bump-allocator design. Requests are rounded up to a computed size
 * class; a bump pointer carves page-aligned runs, each cut into blocks of one class; a free
 * block goes onto its class's lock-free free stack and is handed out again from there. Nothing
 * is ever split or merged, so there is no progressive fragmentation, and memory carved for one
 * class never serves another (until `reclaimOnOom` gives back runs that are wholly free).
 *
 * Fast path (no atomics, no lock): each worker's slot holds a small cache per class — a stack of
 * (block handle, meta word handle) pairs in the space (handles: layout.ts; address = hb + handle). malloc pops from it; free pushes onto it.
 * An empty cache refills with half its capacity from the shared stack (one CAS), else carves
 * that many fresh blocks from the class's run (one CAS on the carve word); a full cache pushes
 * its older half onto the shared stack as one chain (one CAS).
 *
 * Per block, out of band (the run record's meta word): requested size << 2 | state. free reads
 * it to tell a live block from a freed one (double-free) or a never-carved one (invalid-free)
 * before anything changes; with a shared buffer the LIVE → FREE change is a CAS, so of two
 * racing frees of one block exactly one succeeds and the other is reported.
 *
 * Safe-linking (option): the links of the shared stacks and queues are stored mangled with their
 * own address (free-lists.ts), and every block a refill takes off them must be a FREE block of the
 * class whose word 1 names its own meta word — else `corrupted-link`, before anything changes.
 *
 * Memory is read and written through space.raw (`this.m`), so the same code runs in a flat space
 * (hb = 0: handles are addresses) and in a paged one up to 2^47 (hb = 2^47 − 2^32). In a flat
 * space the hottest paths (allocateIn, release, metaIndexOf, the cache's refill and flush) index
 * the space's typed views instead, and their raw versions are separate methods: with both in one
 * method, or a dozen accessor calls in it, V8 stopped inlining them and flat churn was slower.
 * Several workers share a heap only over a SharedArrayBuffer, so only in a flat space: a paged
 * space cannot be attached from another thread (core refuses it).
 *
 * Invariant (quiescent): every carved block is LIVE, or FREE and on exactly one of {a cache, its
 * class's stack or queue}; Σ slot counters = the live blocks and their requested/usable bytes.
 */

import { AllocatorBase, createIdentity, hex, type AddressSpace, type BlockInfo, type HeapFigures, type Inspection, type RawMemory } from '@heaplab/core';
import type { BumpFreestackOptions } from './api.js';
import { badLink, enqueueChain, dequeue, popBatch, popBatchLocal, protect, pushChain, pushChainLocal, type LinkCheck } from './free-lists.js';
import { SharedHeap } from './heap.js';
import {
  CLASS_STRIDE, C_CARVE, C_HEAD, C_MUTEX, C_QUEUED, F, HDR, KIND_LARGE, KIND_RUN, L_BASE, L_PAGES,
  L_REQUESTED, RUN_HEADER_WORDS, R_BLOCKS, R_CLASS, R_START, STATE_FREE, STATE_LIVE, S_LIVE_BLOCKS, S_STATE, WINDOW_BYTES,
} from './layout.js';
import { classForAligned, classLookup, type SizeClass } from './size-classes.js';
import { reclaimRuns } from './reclaim.js';
import { inspectBumpFreestack } from './inspect.js';
import { census, checkHeap, slotTotals, type Census } from './check.js';

const MAX_BATCH = 512;

export class BumpFreestackAllocator extends AllocatorBase {
  readonly options: Readonly<BumpFreestackOptions>;
  readonly classes: readonly SizeClass[];
  /** @internal the shared state and slow paths. */
  readonly heap: SharedHeap;
  /** This worker's slot (index) and the byte address of its first word. */
  readonly slot: number;
  readonly slotAddress: number;
  /** The space's raw memory; hb: the handle base (a stored handle h names address hb + h). */
  private readonly m: RawMemory;
  private readonly hb: number;
  private readonly lookup: Uint8Array;
  private readonly sizeOf: Uint32Array;
  private readonly capOf: Uint32Array;
  /** 1 / size per class: block index = ⌊offset × inv + 1e-7⌋ (exact: offsets are below 2^25, so the product is off by under 2^-27; a non-multiple is at least 16 / 2^20 = 2^-16 past an integer). */
  private readonly invOf: Float64Array;
  /** Byte address of each class's cache count word in this slot (entry k: block at +4 + 8k, meta at +8 + 8k). */
  private readonly cacheAt: Float64Array;
  private readonly largest: number;
  /** Byte address of the heap's current mmap threshold. */
  private readonly thresholdAt: number;
  private readonly fl: number; // byte address of this slot's f64 liveBlocks (liveBytes +8, usableBytes +16)
  private readonly scratch = new Uint32Array(MAX_BATCH);
  private readonly shared: boolean;
  private attached = true;
  /** Byte address of PMAP[0], the page shift and the end of the handles the page map covers, for the free path. */
  private readonly pmapAt: number;
  private readonly shift: number;
  private readonly handleEnd: number;
  /** Class of the block metaIndexOf last found. */
  private hitClass = 0;
  /** Safe-linking: −1 mangles links with their address (free-lists.ts), 0 stores them plain. */
  private readonly sl: number;
  /** Safe-linking: validates a block a refill takes off class `linkClass`'s list; null when off. */
  private readonly linkCheck: LinkCheck | null;
  private linkClass = 0;
  /**
   * Flat space only (null in a paged one): the space's u32 and f64 views, so the three hottest
   * paths (allocateIn, release, metaIndexOf) index them as they did before space.raw, with the
   * word indices below (handles are addresses there). Through `m`, their dozen accessor calls
   * each went past V8's cumulative inlining budget and flat churn got slower.
   */
  private u32: Uint32Array | null = null;
  private f64: Float64Array = new Float64Array(0);
  private readonly cacheW: Uint32Array;
  private readonly pmapW: number;
  private readonly flW: number;
  private readonly thresholdW: number;

  /** @internal use createBumpFreestackAllocator / attachBumpFreestackAllocator. */
  constructor(space: AddressSpace, options: BumpFreestackOptions, classes: readonly SizeClass[], makeHeap: (a: BumpFreestackAllocator) => SharedHeap, slot: (heap: SharedHeap) => number) {
    const identity = createIdentity({
      name: 'bump-freestack',
      family: 'size-class-bump',
      parameters: { ...options },
      description: 'size classes carved by a bump pointer, lock-free free stacks per class, per-worker caches (Felker)',
    });
    // The base names the allocator (identity.label, a getter building a string) in every argument
    // check: pinned once so malloc and free make no string.
    Object.defineProperty(identity, 'label', { value: identity.label, enumerable: false });
    super(space, identity);
    this.options = Object.freeze({ ...options });
    this.classes = classes;
    this.heap = makeHeap(this);
    const heap = this.heap;
    this.slot = slot(heap);
    this.slotAddress = heap.base + heap.layout.slotsOffset + this.slot * heap.layout.slotBytes;
    this.m = space.raw;
    this.hb = heap.hb;
    this.shared = space.shared;
    this.lookup = classLookup(classes);
    this.sizeOf = Uint32Array.from(classes, (c) => c.size);
    this.capOf = Uint32Array.from(classes, (c) => c.cacheCap);
    this.invOf = Float64Array.from(classes, (c) => 1 / c.size);
    this.cacheAt = Float64Array.from(classes, (c) => this.slotAddress + heap.layout.cacheOffset[c.index]!);
    this.largest = classes[classes.length - 1]!.size;
    this.thresholdAt = heap.base + HDR.threshold;
    this.pmapAt = heap.pmap;
    this.shift = heap.shift;
    this.handleEnd = Math.min(WINDOW_BYTES, space.size - this.hb);
    this.fl = this.slotAddress + S_LIVE_BLOCKS;
    this.sl = options.safeLinking ? -1 : 0;
    this.linkCheck = options.safeLinking ? (p) => this.linkOk(p) : null;
    const flat = space.raw.kind === 'flat';
    this.cacheW = Uint32Array.from(this.cacheAt, (a) => (flat ? a / 4 : 0));
    this.pmapW = flat ? this.pmapAt / 4 : 0;
    this.flW = flat ? this.fl / 8 : 0;
    this.thresholdW = flat ? this.thresholdAt / 4 : 0;
    if (flat) {
      this.u32 = space.u32;
      this.f64 = space.f64;
      space.onRefresh(() => {
        this.u32 = space.u32;
        this.f64 = space.f64;
      });
    }
    // This thread's owner index belongs to the heap (owns() and check() read the bitmap).
    const oi = this.ownerIndex;
    const m = this.m;
    Atomics.or(m.atomicWords, m.atomicIndex(heap.base + HDR.ownerBits + 4 * (oi >>> 5)), 1 << (oi & 31));
  }

  /** The heap's handle: the address an attaching worker passes to attachBumpFreestackAllocator. */
  get heapAddress(): number {
    return this.heap.base;
  }

  /** True when addr lies in pages any worker of this heap mapped (runs, chunks, large blocks, metadata). */
  override owns(addr: number): boolean {
    const oi = this.space.ownerIndexAt(addr);
    return oi !== 0 && (this.m.u32(this.heap.base + HDR.ownerBits + 4 * (oi >>> 5)) & (1 << (oi & 31))) !== 0;
  }

  // ------------------------------------------------------------------ allocation

  protected allocate(size: number, align: number): number {
    const u32 = this.u32;
    if (size <= (u32 !== null ? u32[this.thresholdW]! : this.m.u32(this.thresholdAt))) {
      if (align <= 16) return this.allocateIn(this.lookup[(size + 15) >>> 4]!, size);
      if (align <= this.heap.ps) {
        const c = classForAligned(this.classes, size, align);
        if (c >= 0) return this.allocateIn(c, size);
      }
    }
    return this.allocateLarge(size, align);
  }

  private allocateIn(c: number, size: number): number {
    const u32 = this.u32;
    if (u32 === null) return this.allocateInPaged(c, size);
    const ci = this.cacheW[c]!;
    let n = u32[ci]!;
    if (n === 0) {
      n = this.refill(c);
      if (n === 0) return 0;
    }
    const e = ci + 2 * n - 1; // entries start at ci + 1: entry k at ci + 1 + 2k
    const p = u32[e]!;
    const mi = u32[e + 1]!;
    u32[ci] = n - 1;
    u32[mi >>> 2] = ((size << 2) | STATE_LIVE) >>> 0;
    const f = this.f64;
    const fl = this.flW;
    f[fl]!++;
    f[fl + 1]! += size;
    f[fl + 2]! += this.sizeOf[c]!;
    return p;
  }

  /** allocateIn through space.raw (a paged space). */
  private allocateInPaged(c: number, size: number): number {
    const m = this.m;
    const ca = this.cacheAt[c]!;
    let n = m.u32(ca);
    if (n === 0) {
      n = this.refill(c);
      if (n === 0) return 0;
    }
    const e = ca + 8 * n - 4; // entry k at ca + 4 + 8k: the last one
    const p = m.u32(e);
    const mi = m.u32(e + 4);
    m.setU32(ca, n - 1);
    m.setU32(this.hb + mi, ((size << 2) | STATE_LIVE) >>> 0);
    const fl = this.fl;
    m.setF64(fl, m.f64(fl) + 1);
    m.setF64(fl + 8, m.f64(fl + 8) + size);
    m.setF64(fl + 16, m.f64(fl + 16) + this.sizeOf[c]!);
    return this.hb + p;
  }

  /** Fills class c's empty cache (or, with no cache, one entry of it); returns the new count. */
  private refill(c: number): number {
    const want = Math.max(1, this.capOf[c]! >>> 1);
    let n = this.takeFreed(c, want);
    if (n === 0) n = this.carve(c, want);
    // Out of memory: a reclaim may have put blocks back on the list meanwhile.
    if (n === 0) n = this.takeFreed(c, want);
    this.m.setU32(this.cacheAt[c]!, n);
    return n;
  }

  /** Moves up to `want` blocks from class c's shared stack (or queue) into its empty cache. */
  private takeFreed(c: number, want: number): number {
    const heap = this.heap;
    const m = this.m;
    const hb = this.hb;
    const out = this.scratch;
    const head = heap.classAt(c, C_HEAD);
    this.linkClass = c;
    const n = this.options.fifo
      ? dequeue(m, head, heap.classAt(c, C_MUTEX), heap.classAt(c, C_QUEUED), this.shared, hb, want, out, this.sl, this.linkCheck)
      : this.shared
        ? popBatch(heap.b64, c * (CLASS_STRIDE / 8), m, hb, want, out, this.sl, this.linkCheck)
        : popBatchLocal(m, head, hb, want, out, this.sl, this.linkCheck);
    if (n < 0) {
      const where = badLink.at === 0 ? `the head of class ${this.sizeOf[c]}'s free list` : `the free-list link at ${hex(hb + badLink.at)}`;
      return this.misuse('corrupted-link', `${where} names ${hex(hb + badLink.value)}, not a free ${this.sizeOf[c]}-byte block of this heap: a freed block was written after free`, hb + badLink.value);
    }
    const u32 = this.u32;
    if (u32 !== null) {
      const ci = this.cacheW[c]!;
      for (let k = 0; k < n; k++) {
        const p = out[k]!;
        u32[ci + 1 + 2 * k] = p;
        u32[ci + 2 + 2 * k] = u32[(p >>> 2) + 1]!;
      }
      return n;
    }
    const ca = this.cacheAt[c]!;
    for (let k = 0; k < n; k++) {
      const p = out[k]!;
      m.setU32(ca + 4 + 8 * k, p);
      m.setU32(ca + 8 + 8 * k, m.u32(hb + p + 4));
    }
    return n;
  }

  /** Safe-linking's check of a block (handle p) on class linkClass's list: a FREE block of that class whose word 1 is its meta word's handle. */
  private linkOk(p: number): boolean {
    const mi = this.metaIndexOf(p);
    return mi >= 0 && this.hitClass === this.linkClass && (this.m.u32(this.hb + mi) & 3) === STATE_FREE && this.m.u32(this.hb + p + 4) === mi;
  }

  /** Carves up to `want` fresh blocks of class c into its cache (marked FREE); returns how many. */
  private carve(c: number, want: number): number {
    const heap = this.heap;
    const m = this.m;
    const hb = this.hb;
    const cw = heap.classAt(c, C_CARVE); // the carve word as two u32: next index, run record
    for (;;) {
      let v = 0n;
      let rec: number;
      let i: number;
      if (this.shared) {
        v = Atomics.load(heap.b64, c * (CLASS_STRIDE / 8) + 1);
        rec = Number(v >> 32n);
        i = Number(v & 0xffffffffn);
      } else {
        rec = m.u32(cw + 4);
        i = m.u32(cw);
      }
      const left = rec === 0 ? 0 : m.u32(hb + rec + 4 * R_BLOCKS) - i;
      if (left <= 0) {
        heap.lock();
        let ok: boolean;
        try {
          ok = heap.installRun(this.classes[c]!);
          if (!ok && this.options.reclaimOnOom) {
            this.flush();
            reclaimRuns(heap, this.options.fifo);
            ok = heap.installRun(this.classes[c]!);
          }
        } finally {
          heap.unlock();
        }
        if (!ok) return 0;
        continue;
      }
      const n = Math.min(want, left);
      if (!this.shared) m.setU32(cw, i + n);
      else if (Atomics.compareExchange(heap.b64, c * (CLASS_STRIDE / 8) + 1, v, v + BigInt(n)) !== v) continue;
      const size = this.sizeOf[c]!;
      let p = m.u32(hb + rec + 4 * R_START) + i * size;
      let mi = rec + 4 * (RUN_HEADER_WORDS + i);
      const ca = this.cacheAt[c]!;
      for (let k = 0; k < n; k++, p += size, mi += 4) {
        m.setU32(hb + mi, STATE_FREE);
        m.setU32(ca + 4 + 8 * k, p);
        m.setU32(ca + 8 + 8 * k, mi);
      }
      return n;
    }
  }

  private allocateLarge(size: number, align: number): number {
    const p = this.heap.allocLarge(size, align);
    if (p === 0) return 0;
    const m = this.m;
    const fl = this.fl;
    m.setF64(fl, m.f64(fl) + 1);
    m.setF64(fl + 8, m.f64(fl + 8) + size);
    m.setF64(fl + 16, m.f64(fl + 16) + Math.ceil(Math.max(size, 1) / this.heap.ps) * this.heap.ps);
    return p;
  }

  // ------------------------------------------------------------------ lookup

  /**
   * The handle of the meta word of the block of a class run starting exactly at handle h, or a
   * negative code: −1 not the start of a carved block of ours, −3 inside a large block's pages (or
   * a freed one's). Leaves the block's class in `hitClass` (a second result without an allocation).
   */
  private metaIndexOf(h: number): number {
    const u32 = this.u32;
    if (u32 === null) return this.metaIndexOfPaged(h);
    if ((h & 15) !== 0 || !(h > 0 && h < this.handleEnd)) return -1;
    const e = u32[this.pmapW + (h >>> this.shift)]!;
    if ((e & 3) !== KIND_RUN) return (e & 3) === 0 ? -1 : -3;
    const rw = e >>> 2; // the run record's word index (its address is 4-aligned)
    const c = u32[rw + R_CLASS]!;
    this.hitClass = c;
    const size = this.sizeOf[c]!;
    const off = h - u32[rw + R_START]!;
    const i = (off * this.invOf[c]! + 1e-7) | 0;
    if (i * size !== off || i >= u32[rw + R_BLOCKS]!) return -1;
    return e - KIND_RUN + 4 * (RUN_HEADER_WORDS + i);
  }

  /** metaIndexOf through space.raw (a paged space). */
  private metaIndexOfPaged(h: number): number {
    if ((h & 15) !== 0 || !(h > 0 && h < this.handleEnd)) return -1;
    const m = this.m;
    const e = m.u32(this.pmapAt + 4 * (h >>> this.shift));
    if ((e & 3) !== KIND_RUN) return (e & 3) === 0 ? -1 : -3;
    const rec = e - KIND_RUN; // the run record's handle (4-aligned)
    const r = this.hb + rec;
    const c = m.u32(r + 4 * R_CLASS);
    this.hitClass = c;
    const size = this.sizeOf[c]!;
    const off = h - m.u32(r + 4 * R_START);
    const i = (off * this.invOf[c]! + 1e-7) | 0;
    if (i * size !== off || i >= m.u32(r + 4 * R_BLOCKS)) return -1;
    return rec + 4 * (RUN_HEADER_WORDS + i);
  }

  /** Meta word handle of the live class block at ptr; throws the right misuse otherwise. */
  private requireLive(ptr: number, what: string): number {
    const mi = this.metaIndexOf(ptr - this.hb);
    if (mi >= 0) {
      const state = this.m.u32(this.hb + mi) & 3;
      if (state === STATE_LIVE) return mi;
      if (state === STATE_FREE) this.misuse(what === 'free' ? 'double-free' : 'invalid-free', `${what} of ${hex(ptr)}, which was already freed`, ptr);
    }
    return this.misuse('invalid-free', `${what} of ${hex(ptr)}, which is not a block of this allocator`, ptr);
  }

  protected usable(ptr: number): number {
    const mi = this.metaIndexOf(ptr - this.hb);
    if (mi === -3) {
      const r = this.largeRecord(ptr, 'usableSize');
      return this.heap.rec(r, L_PAGES) * this.heap.ps;
    }
    this.requireLive(ptr, 'usableSize');
    return this.sizeOf[this.hitClass]!;
  }

  /** What this heap keeps at `addr` (inspect.ts). */
  inspect(addr: number, brief = false): Inspection | undefined {
    return inspectBumpFreestack(this, addr, brief);
  }

  blockAt(addr: number): BlockInfo | null {
    const h = addr - this.hb;
    if (!(Number.isInteger(addr) && h > 0 && h < this.handleEnd)) return null;
    const heap = this.heap;
    const e = heap.pmapEntry(h);
    const kind = e & 3;
    if (kind === KIND_LARGE) {
      const r = e - KIND_LARGE;
      const base = heap.rec(r, L_BASE);
      const size = heap.rec(r, L_PAGES) * heap.ps;
      return h < base + size ? { base: this.hb + base, size } : null;
    }
    if (kind !== KIND_RUN) return null;
    const r = e - KIND_RUN;
    const size = this.sizeOf[heap.rec(r, R_CLASS)]!;
    const start = heap.rec(r, R_START);
    const i = Math.floor((h - start) / size);
    if (i >= heap.rec(r, R_BLOCKS) || (heap.rec(r, RUN_HEADER_WORDS + i) & 3) !== STATE_LIVE) return null;
    return { base: this.hb + start + i * size, size };
  }

  /**
   * The freed block holding addr, for objectSize's use-after-free: a carved class block whose
   * meta word says FREE (in a cache, a free stack or a queue — until handed out again), or the
   * first byte of a freed large block whose pages nothing has mapped since (its size went with
   * its record: reported as 0). Interior addresses of a freed large block are unmapped pages the
   * allocator no longer knows: null.
   */
  protected override freedBlockAt(addr: number): BlockInfo | null {
    const h = addr - this.hb;
    if (!(Number.isInteger(addr) && h > 0 && h < this.handleEnd)) return null;
    const heap = this.heap;
    const e = heap.pmapEntry(h);
    if ((e & 3) === KIND_RUN) {
      const r = e - KIND_RUN;
      const size = this.sizeOf[heap.rec(r, R_CLASS)]!;
      const start = heap.rec(r, R_START);
      const i = Math.floor((h - start) / size);
      if (i >= heap.rec(r, R_BLOCKS) || (heap.rec(r, RUN_HEADER_WORDS + i) & 3) !== STATE_FREE) return null;
      return { base: this.hb + start + i * size, size };
    }
    return heap.largeRecordOf(h) === -2 && this.space.ownerIndexAt(addr) === 0 ? { base: addr, size: 0 } : null;
  }

  /** Record (handle) of the live large block at ptr; throws invalid-free / double-free otherwise. Takes no lock (callers that free do). */
  private largeRecord(ptr: number, what: string): number {
    const r = this.heap.largeRecordOf(ptr - this.hb);
    if (r > 0) return r;
    if (r === -2 && this.space.ownerIndexAt(ptr) === 0) this.misuse(what === 'free' ? 'double-free' : 'invalid-free', `${what} of ${hex(ptr)}, a large block already freed`, ptr);
    return this.misuse('invalid-free', `${what} of ${hex(ptr)}, which is not a block of this allocator`, ptr);
  }

  // ------------------------------------------------------------------ free

  protected release(ptr: number, size: number | undefined): void {
    const u32 = this.u32;
    if (u32 === null || this.shared) return this.releaseRaw(ptr, size);
    // A flat space over a non-shared buffer (the benchmarks' case): handles are addresses.
    const mi = this.metaIndexOf(ptr);
    if (mi === -3) return this.releaseLarge(ptr, size);
    const mw = mi >>> 2;
    const w = mi >= 0 ? u32[mw]! : 0;
    if ((w & 3) !== STATE_LIVE) this.requireLive(ptr, 'free'); // throws the precise misuse
    const requested = w >>> 2;
    if (size !== undefined && size !== requested) this.misuse('size-mismatch', `free_sized(${hex(ptr)}, ${size}) of a block of ${requested} bytes`, ptr);
    u32[mw] = STATE_FREE;
    const c = this.hitClass;
    const f = this.f64;
    const fl = this.flW;
    f[fl]!--;
    f[fl + 1]! -= requested;
    f[fl + 2]! -= this.sizeOf[c]!;
    const ci = this.cacheW[c]!;
    const cap = this.capOf[c]!;
    let n = u32[ci]!;
    if (n === cap) {
      if (cap === 0) return this.pushOne(c, ptr, mi);
      this.flushHalf(c);
      n = u32[ci]!;
    }
    u32[ci + 1 + 2 * n] = ptr;
    u32[ci + 2 + 2 * n] = mi;
    u32[ci] = n + 1;
  }

  /** release through space.raw: a paged space, or a shared buffer (the LIVE → FREE change is a CAS). */
  private releaseRaw(ptr: number, size: number | undefined): void {
    const hb = this.hb;
    const h = ptr - hb;
    const mi = this.metaIndexOf(h);
    if (mi === -3) return this.releaseLarge(ptr, size);
    const m = this.m;
    const w = mi >= 0 ? m.u32(hb + mi) : 0;
    if ((w & 3) !== STATE_LIVE) this.requireLive(ptr, 'free'); // throws the precise misuse
    const requested = w >>> 2;
    if (size !== undefined && size !== requested) this.misuse('size-mismatch', `free_sized(${hex(ptr)}, ${size}) of a block of ${requested} bytes`, ptr);
    if (this.shared) {
      // Of two racing frees of one block, exactly one wins this CAS.
      if (Atomics.compareExchange(m.atomicWords, m.atomicIndex(hb + mi), w | 0, STATE_FREE) !== (w | 0)) this.misuse('double-free', `free of ${hex(ptr)}, freed by another thread at the same time`, ptr);
    } else {
      m.setU32(hb + mi, STATE_FREE);
    }
    const c = this.hitClass;
    const fl = this.fl;
    m.setF64(fl, m.f64(fl) - 1);
    m.setF64(fl + 8, m.f64(fl + 8) - requested);
    m.setF64(fl + 16, m.f64(fl + 16) - this.sizeOf[c]!);
    const ca = this.cacheAt[c]!;
    const cap = this.capOf[c]!;
    let n = m.u32(ca);
    if (n === cap) {
      if (cap === 0) return this.pushOne(c, h, mi);
      this.flushHalf(c);
      n = m.u32(ca);
    }
    m.setU32(ca + 4 + 8 * n, h);
    m.setU32(ca + 8 + 8 * n, mi);
    m.setU32(ca, n + 1);
  }

  private releaseLarge(ptr: number, size: number | undefined): void {
    const heap = this.heap;
    const m = this.m;
    heap.lock();
    try {
      const r = this.largeRecord(ptr, 'free');
      const requested = heap.rec(r, L_REQUESTED);
      if (size !== undefined && size !== requested) this.misuse('size-mismatch', `free_sized(${hex(ptr)}, ${size}) of a block of ${requested} bytes`, ptr);
      const fl = this.fl;
      m.setF64(fl, m.f64(fl) - 1);
      m.setF64(fl + 8, m.f64(fl + 8) - requested);
      m.setF64(fl + 16, m.f64(fl + 16) - heap.rec(r, L_PAGES) * heap.ps);
      heap.freeLarge(r);
      if (this.options.dynamicThreshold && requested > m.u32(this.thresholdAt) && requested <= this.largest) m.setU32(this.thresholdAt, requested);
    } finally {
      heap.unlock();
    }
  }

  /** With no cache: the block (handle h) goes straight onto the shared stack (or queue). */
  private pushOne(c: number, h: number, mi: number): void {
    this.m.setU32(this.hb + h + 4, mi);
    this.pushChain(c, h, h, 1);
  }

  private pushChain(c: number, first: number, last: number, count: number): void {
    const heap = this.heap;
    const head = heap.classAt(c, C_HEAD);
    if (this.options.fifo) enqueueChain(this.m, head, heap.classAt(c, C_MUTEX), heap.classAt(c, C_QUEUED), this.shared, this.hb, first, last, count, this.sl);
    else if (this.shared) pushChain(heap.b64, c * (CLASS_STRIDE / 8), this.m, this.hb, first, last, this.sl);
    else pushChainLocal(this.m, head, this.hb, first, last, this.sl);
  }

  /** Pushes the older half of class c's full cache onto the shared stack as one chain. */
  private flushHalf(c: number): void {
    const m = this.m;
    const ca = this.cacheAt[c]!;
    const n = m.u32(ca);
    const half = n >>> 1;
    this.flushEntries(c, 0, half);
    m.copy(ca + 4, ca + 4 + 8 * half, 8 * (n - half));
    m.setU32(ca, n - half);
  }

  /** Links cache entries [from, to) of class c into a chain and pushes it. */
  private flushEntries(c: number, from: number, to: number): void {
    if (to <= from) return;
    const u32 = this.u32;
    if (u32 !== null) {
      const ci = this.cacheW[c]!;
      for (let k = from; k < to; k++) {
        const p = u32[ci + 1 + 2 * k]!;
        u32[p >>> 2] = k + 1 < to ? protect(p, u32[ci + 3 + 2 * k]!, this.sl) : protect(p, 0, this.sl);
        u32[(p >>> 2) + 1] = u32[ci + 2 + 2 * k]!;
      }
      return this.pushChain(c, u32[ci + 1 + 2 * from]!, u32[ci + 1 + 2 * (to - 1)]!, to - from);
    }
    const m = this.m;
    const hb = this.hb;
    const ca = this.cacheAt[c]!;
    for (let k = from; k < to; k++) {
      const p = m.u32(ca + 4 + 8 * k);
      m.setU32(hb + p, k + 1 < to ? protect(p, m.u32(ca + 12 + 8 * k), this.sl) : protect(p, 0, this.sl));
      m.setU32(hb + p + 4, m.u32(ca + 8 + 8 * k));
    }
    this.pushChain(c, m.u32(ca + 4 + 8 * from), m.u32(ca + 4 + 8 * (to - 1)), to - from);
  }

  /**
   * Returns every block of this worker's caches to the shared stacks (one chain per class), so
   * other workers can use them. Called by detach(), by a reclaim, and by whoever wants it.
   */
  flush(): void {
    const m = this.m;
    for (let c = 0; c < this.classes.length; c++) {
      const ca = this.cacheAt[c]!;
      const n = m.u32(ca);
      if (n === 0) continue;
      this.flushEntries(c, 0, n);
      m.setU32(ca, 0);
    }
  }

  /** Flushes the caches and gives this worker's slot back. The instance cannot be used after. */
  detach(): void {
    if (!this.attached) return;
    this.flush();
    this.attached = false;
    Atomics.store(this.m.atomicWords, this.m.atomicIndex(this.slotAddress + S_STATE), 0);
  }

  /** Blocks and bytes in this worker's caches. */
  cached(): { blocks: number; bytes: number } {
    let blocks = 0;
    let bytes = 0;
    for (let c = 0; c < this.classes.length; c++) {
      const n = this.m.u32(this.cacheAt[c]!);
      blocks += n;
      bytes += n * this.sizeOf[c]!;
    }
    return { blocks, bytes };
  }

  // ------------------------------------------------------------------ realloc in place

  protected override resizeInPlace(ptr: number, size: number): number {
    const m = this.m;
    const hb = this.hb;
    const mi = this.metaIndexOf(ptr - hb);
    const fl = this.fl;
    if (mi >= 0) {
      const c = this.hitClass;
      if (size > this.largest || this.lookup[(size + 15) >>> 4] !== c) return 0;
      const old = m.u32(hb + mi) >>> 2;
      m.setU32(hb + mi, ((size << 2) | STATE_LIVE) >>> 0);
      m.setF64(fl + 8, m.f64(fl + 8) + size - old);
      return ptr;
    }
    const heap = this.heap;
    const r = heap.largeRecordOf(ptr - hb);
    if (r <= 0) return 0;
    const bytes = heap.rec(r, L_PAGES) * heap.ps;
    if (size <= this.largest || size > bytes || size <= bytes / 2) return 0;
    m.setF64(fl + 8, m.f64(fl + 8) + size - heap.rec(r, L_REQUESTED));
    heap.setRec(r, L_REQUESTED, size);
    return ptr;
  }

  // ------------------------------------------------------------------ figures

  /**
   * Bytes outside the space: this handle's per-class tables (computed from the options, the same
   * in every worker), its batch scratch array, and the SizeClass objects (about 64 bytes each).
   * All heap state — free stacks, caches, run records, meta words, counters — is in the space.
   */
  private externalBytes(): number {
    const tables = this.lookup.byteLength + this.sizeOf.byteLength + this.capOf.byteLength + this.invOf.byteLength + this.cacheAt.byteLength + this.scratch.byteLength;
    return tables + this.heap.layout.cacheOffset.byteLength + 64 * this.classes.length;
  }

  protected figures(): HeapFigures {
    const heap = this.heap;
    return { ...slotTotals(heap), metadataBytes: heap.layout.bytes + heap.counter(F.metaChunkBytes), externalBytes: this.externalBytes() };
  }

  check(): void {
    checkHeap(this);
  }

  /** Where every byte of the heap is (walks every structure; call while no other worker runs). */
  census(): Census {
    return census(this);
  }
}
