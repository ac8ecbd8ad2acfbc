/*
 * kmalloc: a SLUB-style slab allocator over buddy page frames.
 *
 * Structure: one cache per kmalloc size (kmalloc-16 … kmalloc-8k, kmalloc-caches.ts). A slab is
 * 2^order frames from the frame source, reached through the direct map, cut into `objects`
 * objects of `stride` bytes from its first byte. Each slab sits on one of its cache's three lists
 * — partial (some objects free), full (none free), empty (all free; at most minPartial kept, the
 * rest go back to the buddy allocator) — and allocation takes from the first partial slab, then
 * an empty one, then a new slab. Requests above the largest cache (or aligned past what a cache
 * gives) go straight to alloc_pages (kmalloc_large): one block of 2^order frames.
 *
 * Object layout (stride = size [+ 16 red zone] [+ 16 free-pointer word]):
 *
 *   | object: size bytes (free: u32 free pointer at 0) | red zone 0xcc/0xbb | free pointer word |
 *
 *   The free list is kept in the free objects: a u32 holding the next free object's index + 1
 *   (0 ends), at offset 0 of the object, or, with `poison`, in the word after the red zone (the
 *   object itself then holds the poison: 0x6b, last byte 0xa5). With `redZone`, the 16 bytes after
 *   the object read 0xcc while it is allocated and 0xbb while it is free.
 *
 * Outside the space (as the kernel's struct page / struct slab): per frame its kind (slab frame,
 * large head live or freed) and its slab; per slab its first frame, cache, free list head, objects
 * in use, list links; per object its state (0 never handed out since the slab was made, 1 freed,
 * requested size + 2 when live) — what tells a double free from an invalid one, which SLUB only
 * does with slub_debug.
 *
 * Invariants (check() walks them): a slab's in-use count + the length of its free list = objects;
 * a free-list entry is an object of state 0 or 1; a slab is on the list its count says; an
 * empty list holds at most minPartial slabs; liveBlocks/liveBytes/usableBytes are the sums over
 * live objects and live large blocks.
 *
 * Misuse, raised before any change: free of an address that is not a live object or large block
 * (`invalid-free`), of a freed one (`double-free`), a sized free with another size
 * (`size-mismatch`), a damaged red zone (`canary-corrupted`, with redZone), a damaged poison when
 * the object is handed out again (`write-after-free`, with poison).
 *
 * Out of memory: when alloc_pages fails, every cache's empty slabs are given back (as reclaim
 * shrinks the slab caches) and the request is tried once more; then 0.
 */

import { AllocatorBase, HeapCorruption, hex, type AddressSpace, type BlockInfo, type HeapFigures } from '@heaplab/core';
import { KMALLOC_DEFAULTS, type KmallocOptions, type PhysicalFigures } from './api.js';
import { checkFrameOptions, frameSourceFor, physicalFigures, type FrameSource } from './frame-source.js';
import { KMALLOC_MIN_SIZE, RED_ZONE, kmallocCaches, sizeIndex, type CacheGeometry } from './kmalloc-caches.js';
import { SlabTable, PARTIAL, FULL, EMPTY } from './slab-table.js';

const RED_ACTIVE = 0xcc;
const RED_INACTIVE = 0xbb;
const POISON_FREE = 0x6b;
const POISON_END = 0xa5;

const K_NONE = 0;
const K_SLAB = 1;
const K_LARGE = 2;
const K_LARGE_FREED = 3;

const ST_NEVER = 0;
const ST_FREED = 1;
const ST_LIVE = 2;

/** One row of `slabinfo()`, as /proc/slabinfo. */
export interface SlabInfoRow {
  name: string;
  activeObjects: number;
  totalObjects: number;
  objectSize: number;
  objectsPerSlab: number;
  pagesPerSlab: number;
  partialSlabs: number;
  fullSlabs: number;
  emptySlabs: number;
}

export class KmallocAllocator extends AllocatorBase {
  readonly options: Readonly<KmallocOptions>;
  readonly source: FrameSource;
  /** Geometry of each cache, smallest first. */
  readonly caches: readonly CacheGeometry[];
  private readonly ps: number;
  private readonly maxCache: number;
  private readonly classOf: Uint8Array;
  private readonly stride: Int32Array;
  private readonly objSize: Int32Array;
  private readonly fpOff: Int32Array;
  private readonly slabOrder: Int8Array;
  private readonly perSlab: Int32Array;
  private readonly slabs: SlabTable;
  private readonly kind: Uint8Array;
  private readonly frameSlab: Int32Array;
  private readonly largeOrder: Int8Array;
  private readonly largeReq: Float64Array;
  private readonly redZone: boolean;
  private readonly poison: boolean;
  private liveBlocks = 0;
  private liveBytes = 0;
  private usableBytes = 0;
  private slabMeta = 0;

  constructor(space: AddressSpace, options: Partial<KmallocOptions> = {}) {
    const o = { ...KMALLOC_DEFAULTS, ...options };
    checkFrameOptions('kmalloc', o);
    for (const key of ['redZone', 'poison'] as const) if (typeof o[key] !== 'boolean') throw new TypeError(`kmalloc: option ${key} must be a boolean, got ${String(o[key])}`);
    super(space, {
      name: 'kmalloc',
      family: 'kernel',
      parameters: { ...o },
      description: 'SLUB-style slab caches kmalloc-16 … kmalloc-8k over buddy page frames; larger requests straight to alloc_pages',
    });
    this.options = Object.freeze(o);
    this.redZone = o.redZone;
    this.poison = o.poison;
    this.source = frameSourceFor(space, this.identity, o);
    this.ps = space.pageSize;
    const caches = kmallocCaches(this.ps, this.source.frames.maxOrder, o.redZone, o.poison);
    this.caches = Object.freeze(caches);
    this.maxCache = caches[caches.length - 1]!.size;
    this.classOf = sizeIndex(caches);
    this.stride = Int32Array.from(caches, (c) => c.stride);
    this.objSize = Int32Array.from(caches, (c) => c.size);
    this.fpOff = Int32Array.from(caches, (c) => c.freePointer);
    this.slabOrder = Int8Array.from(caches, (c) => c.order);
    this.perSlab = Int32Array.from(caches, (c) => c.objects);
    this.slabs = new SlabTable(caches.length, Math.max(...caches.map((c) => c.objects)), this.maxCache + ST_LIVE);
    const n = this.source.frames.totalFrames;
    this.kind = new Uint8Array(n);
    this.frameSlab = new Int32Array(n);
    this.largeOrder = new Int8Array(n);
    this.largeReq = new Float64Array(n);
  }

  // ------------------------------------------------------------------ allocation

  protected allocate(size: number, align: number): number {
    if (align <= KMALLOC_MIN_SIZE) {
      if (size <= this.maxCache) return this.slabAlloc(this.classOf[(size + 15) >>> 4]!, size);
      return this.largeAlloc(size, align);
    }
    // Power-of-two caches are naturally aligned (the slab is page-aligned, the stride the size) when no debug bytes are added.
    const need = Math.max(size, align);
    if (!this.redZone && !this.poison && need <= this.maxCache) {
      let c = this.classOf[(need + 15) >>> 4]!;
      while ((this.objSize[c]! & (this.objSize[c]! - 1)) !== 0) c++;
      return this.slabAlloc(c, size);
    }
    return this.largeAlloc(size, align);
  }

  private slabAlloc(c: number, size: number): number {
    const t = this.slabs;
    let s = t.head(c, PARTIAL);
    if (s < 0) s = t.head(c, EMPTY);
    if (s < 0) {
      s = this.newSlab(c);
      if (s < 0) return 0;
    }
    const raw = this.space.raw;
    const stride = this.stride[c]!;
    const idx = t.free[s]! - 1;
    const obj = this.source.addressOf(t.pfn[s]!) + idx * stride;
    const osize = this.objSize[c]!;
    if (this.poison) this.checkPoison(obj, osize);
    const wasEmpty = t.inuse[s] === 0;
    t.free[s] = raw.u32(obj + this.fpOff[c]!);
    t.inuse[s]!++;
    if (t.free[s] === 0) t.move(s, c, FULL);
    else if (wasEmpty) t.move(s, c, PARTIAL);
    t.state[s * t.maxObjects + idx] = ST_LIVE + size;
    if (this.redZone) raw.fill(obj + osize, RED_ZONE, RED_ACTIVE);
    this.liveBlocks++;
    this.liveBytes += size;
    this.usableBytes += osize;
    return obj;
  }

  /** A new slab for cache c, on its empty list (the caller takes an object from it at once), or −1. */
  private newSlab(c: number): number {
    const order = this.slabOrder[c]!;
    let pfn = this.source.allocPages(order);
    if (pfn < 0) {
      this.shrink();
      pfn = this.source.allocPages(order);
      if (pfn < 0) return -1;
    }
    const t = this.slabs;
    const s = t.create(pfn, c);
    const n = this.perSlab[c]!;
    for (let i = 0; i < 2 ** order; i++) {
      this.kind[pfn + i] = K_SLAB;
      this.frameSlab[pfn + i] = s;
    }
    // The free list through every object, lowest first; poison and inactive red zones.
    const raw = this.space.raw;
    const base = this.source.addressOf(pfn);
    const stride = this.stride[c]!;
    const osize = this.objSize[c]!;
    const fp = this.fpOff[c]!;
    for (let i = 0; i < n; i++) {
      const obj = base + i * stride;
      if (this.poison) this.writePoison(obj, osize);
      if (this.redZone) raw.fill(obj + osize, RED_ZONE, RED_INACTIVE);
      raw.setU32(obj + fp, i + 1 < n ? i + 2 : 0);
    }
    t.free[s] = 1;
    this.slabMeta += n * (stride - osize);
    return s;
  }

  /** Gives every cache's empty slabs back to the buddy allocator (kmem_cache_shrink). */
  shrink(): void {
    for (let c = 0; c < this.caches.length; c++) {
      for (let s = this.slabs.head(c, EMPTY); s >= 0; s = this.slabs.head(c, EMPTY)) this.discardSlab(s, c);
    }
  }

  private discardSlab(s: number, c: number): void {
    const t = this.slabs;
    const pfn = t.pfn[s]!;
    const order = this.slabOrder[c]!;
    this.kind.fill(K_NONE, pfn, pfn + 2 ** order);
    this.slabMeta -= this.perSlab[c]! * (this.stride[c]! - this.objSize[c]!);
    t.destroy(s, c);
    this.source.freePages(pfn, order);
  }

  private largeOrderFor(bytes: number): number {
    const pages = Math.ceil(Math.max(bytes, 1) / this.ps);
    let k = 0;
    while (2 ** k < pages) k++;
    return k;
  }

  private largeAlloc(size: number, align: number): number {
    const k = this.largeOrderFor(Math.max(size, align));
    if (k > this.source.frames.maxOrder) return 0;
    let pfn = this.source.allocPages(k);
    if (pfn < 0) {
      this.shrink();
      pfn = this.source.allocPages(k);
      if (pfn < 0) return 0;
    }
    const ptr = this.source.addressOf(pfn);
    if (ptr % align !== 0) {
      this.source.freePages(pfn, k);
      return 0;
    }
    this.kind.fill(K_NONE, pfn, pfn + 2 ** k);
    this.kind[pfn] = K_LARGE;
    this.largeOrder[pfn] = k;
    this.largeReq[pfn] = size;
    this.liveBlocks++;
    this.liveBytes += size;
    this.usableBytes += this.ps * 2 ** k;
    return ptr;
  }

  protected override allocateZeroed(size: number): number {
    const p = this.allocate(size, KMALLOC_MIN_SIZE);
    if (p !== 0 && size > 0) {
      const pfn = this.source.pfnOf(p);
      // A large block of an own pool reads zero (its frames were given back with DONTNEED); a slab object may hold anything.
      if (!(this.kind[pfn] === K_LARGE && this.source.kind === 'own-pool')) this.space.raw.fill(p, size, 0);
    }
    return p;
  }

  // ------------------------------------------------------------------ poison and red zones

  private writePoison(obj: number, size: number): void {
    const raw = this.space.raw;
    raw.fill(obj, size - 1, POISON_FREE);
    raw.setU8(obj + size - 1, POISON_END);
  }

  private checkPoison(obj: number, size: number): void {
    const raw = this.space.raw;
    for (let i = 0; i < size - 1; i++) {
      if (raw.u8(obj + i) !== POISON_FREE) this.misuse('write-after-free', `kmalloc-${size} object ${hex(obj)} was written after free (byte ${i} is ${hex(raw.u8(obj + i))}, poison 0x6b)`, obj + i);
    }
    if (raw.u8(obj + size - 1) !== POISON_END) this.misuse('write-after-free', `kmalloc-${size} object ${hex(obj)} was written after free (its last byte is not 0xa5)`, obj + size - 1);
  }

  // ------------------------------------------------------------------ lookup and free

  /** The object index `locate` found last. */
  private hitIndex = 0;

  /**
   * Where ptr is: ≥ 0 the slab index of the live object starting at ptr (its object index in
   * `this.hitIndex`), −2 − pfn for a live large block, or a misuse thrown.
   */
  private locate(ptr: number, what: string): number {
    const pfn = this.source.pfnOf(ptr);
    if (pfn >= 0) {
      const k = this.kind[pfn]!;
      if (k === K_SLAB) {
        const t = this.slabs;
        const s = this.frameSlab[pfn]!;
        const c = t.cache[s]!;
        const off = ptr - this.source.addressOf(t.pfn[s]!);
        const idx = Math.floor(off / this.stride[c]!);
        if (off === idx * this.stride[c]! && idx < this.perSlab[c]!) {
          const st = t.state[s * t.maxObjects + idx]!;
          if (st >= ST_LIVE) {
            this.hitIndex = idx;
            return s;
          }
          if (st === ST_FREED) this.misuse('double-free', `${what} of ${hex(ptr)}, a kmalloc-${this.objSize[c]} object already freed`, ptr);
        }
      } else if (ptr === this.source.addressOf(pfn)) {
        if (k === K_LARGE) return -2 - pfn;
        if (k === K_LARGE_FREED) this.misuse('double-free', `${what} of ${hex(ptr)}, a large block already freed`, ptr);
      }
    }
    this.misuse('invalid-free', `${what} of ${hex(ptr)}, which does not start a live object or block of this allocator`, ptr);
  }

  protected override validateRelease(ptr: number): number {
    const s = this.locate(ptr, 'free');
    if (s < 0) return this.ps * 2 ** this.largeOrder[-2 - s]!;
    const c = this.slabs.cache[s]!;
    const size = this.objSize[c]!;
    if (this.redZone) {
      const raw = this.space.raw;
      for (let i = 0; i < RED_ZONE; i++) {
        if (raw.u8(ptr + size + i) !== RED_ACTIVE) this.misuse('canary-corrupted', `red zone of kmalloc-${size} object ${hex(ptr)} overwritten at byte ${i} past its end (${hex(raw.u8(ptr + size + i))}, expected 0xcc)`, ptr + size + i);
      }
    }
    return size;
  }

  protected usable(ptr: number): number {
    const s = this.locate(ptr, 'usableSize');
    return s < 0 ? this.ps * 2 ** this.largeOrder[-2 - s]! : this.objSize[this.slabs.cache[s]!]!;
  }

  protected release(ptr: number, size: number | undefined): void {
    this.validateRelease(ptr);
    const s = this.locate(ptr, 'free');
    if (s < 0) {
      const pfn = -2 - s;
      const req = this.largeReq[pfn]!;
      if (size !== undefined && size !== req) this.misuse('size-mismatch', `free_sized(${hex(ptr)}, ${size}) of a block of ${req} bytes`, ptr);
      const k = this.largeOrder[pfn]!;
      this.kind[pfn] = K_LARGE_FREED;
      this.liveBlocks--;
      this.liveBytes -= req;
      this.usableBytes -= this.ps * 2 ** k;
      this.source.freePages(pfn, k);
      return;
    }
    const t = this.slabs;
    const idx = this.hitIndex;
    const c = t.cache[s]!;
    const slot = s * t.maxObjects + idx;
    const req = t.state[slot]! - ST_LIVE;
    if (size !== undefined && size !== req) this.misuse('size-mismatch', `free_sized(${hex(ptr)}, ${size}) of a kmalloc-${this.objSize[c]} object of ${req} bytes`, ptr);
    const raw = this.space.raw;
    const osize = this.objSize[c]!;
    if (this.poison) this.writePoison(ptr, osize);
    if (this.redZone) raw.fill(ptr + osize, RED_ZONE, RED_INACTIVE);
    raw.setU32(ptr + this.fpOff[c]!, t.free[s]!);
    t.free[s] = idx + 1;
    t.state[slot] = ST_FREED;
    const wasFull = t.inuse[s] === this.perSlab[c];
    t.inuse[s]!--;
    this.liveBlocks--;
    this.liveBytes -= req;
    this.usableBytes -= osize;
    if (t.inuse[s] === 0) {
      if (t.count(c, EMPTY) >= this.caches[c]!.minPartial) this.discardSlab(s, c);
      else t.move(s, c, EMPTY);
    } else if (wasFull) t.move(s, c, PARTIAL);
  }

  protected override resizeInPlace(ptr: number, size: number): number {
    const s = this.locate(ptr, 'realloc');
    if (s < 0) {
      const pfn = -2 - s;
      if (size > this.ps * 2 ** this.largeOrder[pfn]!) return 0;
      this.liveBytes += size - this.largeReq[pfn]!;
      this.largeReq[pfn] = size;
      return ptr;
    }
    const t = this.slabs;
    if (size > this.objSize[t.cache[s]!]!) return 0;
    const slot = s * t.maxObjects + this.hitIndex;
    this.liveBytes += size - (t.state[slot]! - ST_LIVE);
    t.state[slot] = ST_LIVE + size;
    return ptr;
  }

  /** The object or large block with state `live` (or freed) holding addr. */
  private find(addr: number, live: boolean): BlockInfo | null {
    const pfn = this.source.pfnOf(addr);
    if (pfn < 0) return null;
    if (this.kind[pfn] === K_SLAB) {
      const t = this.slabs;
      const s = this.frameSlab[pfn]!;
      const c = t.cache[s]!;
      const base = this.source.addressOf(t.pfn[s]!);
      const idx = Math.floor((addr - base) / this.stride[c]!);
      const obj = base + idx * this.stride[c]!;
      const size = this.objSize[c]!;
      if (idx >= this.perSlab[c]! || (addr >= obj + size && !(addr === obj && size === 0))) return null;
      const st = t.state[s * t.maxObjects + idx]!;
      return (live ? st >= ST_LIVE : st === ST_FREED) ? { base: obj, size } : null;
    }
    const want = live ? K_LARGE : K_LARGE_FREED;
    for (let k = 0; k <= this.source.frames.maxOrder; k++) {
      const h = pfn - (pfn % 2 ** k);
      if (this.kind[h] === want && h + 2 ** this.largeOrder[h]! > pfn) {
        if (!live && !this.source.frames.isFree(h)) return null;
        return { base: this.source.addressOf(h), size: this.ps * 2 ** this.largeOrder[h]! };
      }
    }
    return null;
  }

  blockAt(addr: number): BlockInfo | null {
    return this.find(addr, true);
  }

  protected override freedBlockAt(addr: number): BlockInfo | null {
    return this.find(addr, false);
  }

  // ------------------------------------------------------------------ figures and check

  /** Physical memory: frames in use, free blocks per order, fragmentation indices. */
  physical(): PhysicalFigures {
    return physicalFigures(this.source);
  }

  /** Per cache, as /proc/slabinfo: objects active and total, slab geometry, slabs per list. */
  slabinfo(): SlabInfoRow[] {
    const t = this.slabs;
    return this.caches.map((g, c) => {
      const partial = t.count(c, PARTIAL);
      const full = t.count(c, FULL);
      const empty = t.count(c, EMPTY);
      let active = full * g.objects;
      for (let s = t.head(c, PARTIAL); s >= 0; s = t.next[s]!) active += t.inuse[s]!;
      return { name: `kmalloc-${g.size >= 1024 ? `${g.size / 1024}k` : g.size}`, activeObjects: active, totalObjects: (partial + full + empty) * g.objects, objectSize: g.size, objectsPerSlab: g.objects, pagesPerSlab: 2 ** g.order, partialSlabs: partial, fullSlabs: full, emptySlabs: empty };
    });
  }

  protected figures(): HeapFigures {
    return {
      liveBlocks: this.liveBlocks,
      liveBytes: this.liveBytes,
      usableBytes: this.usableBytes,
      metadataBytes: this.slabMeta,
      externalBytes: this.source.externalBytes + this.slabs.byteLength + this.kind.byteLength + this.frameSlab.byteLength + this.largeOrder.byteLength + this.largeReq.byteLength + this.classOf.byteLength,
    };
  }

  check(): void {
    const bad = (what: string): never => {
      throw new HeapCorruption(this.label, what);
    };
    const t = this.slabs;
    const raw = this.space.raw;
    let blocks = 0;
    let bytes = 0;
    let usable = 0;
    let frames = 0;
    for (let c = 0; c < this.caches.length; c++) {
      const g = this.caches[c]!;
      for (const list of [PARTIAL, FULL, EMPTY]) {
        let n = 0;
        for (let s = t.head(c, list); s >= 0; s = t.next[s]!) {
          if (++n > t.capacity) bad(`kmalloc-${g.size}: list ${list} loops`);
          if (t.cache[s] !== c || t.list[s] !== list) bad(`slab ${s} on kmalloc-${g.size} list ${list} says cache ${t.cache[s]} list ${t.list[s]}`);
          const pfn = t.pfn[s]!;
          if (this.source.frames.allocatedOrder(pfn) !== g.order) bad(`slab ${s} at pfn ${pfn} is not an allocated order-${g.order} block`);
          frames += 2 ** g.order;
          const base = this.source.addressOf(pfn);
          let free = 0;
          for (let i = t.free[s]!; i !== 0; i = raw.u32(base + (i - 1) * g.stride + g.freePointer)) {
            if (i > g.objects || ++free > g.objects) bad(`kmalloc-${g.size} slab at ${hex(base)}: free list broken (entry ${i})`);
            if (t.state[s * t.maxObjects + i - 1]! >= ST_LIVE) bad(`kmalloc-${g.size} slab at ${hex(base)}: live object ${i - 1} on the free list`);
          }
          if (free + t.inuse[s]! !== g.objects) bad(`kmalloc-${g.size} slab at ${hex(base)}: ${free} free + ${t.inuse[s]} in use ≠ ${g.objects} objects`);
          const want = t.inuse[s] === 0 ? EMPTY : free === 0 ? FULL : PARTIAL;
          if (want !== list) bad(`kmalloc-${g.size} slab at ${hex(base)} with ${t.inuse[s]} in use is on list ${list}`);
          for (let i = 0; i < g.objects; i++) {
            const st = t.state[s * t.maxObjects + i]!;
            if (st < ST_LIVE) continue;
            blocks++;
            bytes += st - ST_LIVE;
            usable += g.size;
          }
        }
        if (n !== t.count(c, list)) bad(`kmalloc-${g.size}: list ${list} holds ${n} slabs, counted ${t.count(c, list)}`);
      }
      if (t.count(c, EMPTY) > g.minPartial) bad(`kmalloc-${g.size} keeps ${t.count(c, EMPTY)} empty slabs, more than ${g.minPartial}`);
    }
    for (let p = 0; p < this.kind.length; p++) {
      if (this.kind[p] !== K_LARGE) continue;
      if (this.source.frames.allocatedOrder(p) !== this.largeOrder[p]) bad(`large block at pfn ${p} is not allocated with order ${this.largeOrder[p]}`);
      blocks++;
      bytes += this.largeReq[p]!;
      usable += this.ps * 2 ** this.largeOrder[p]!;
      frames += 2 ** this.largeOrder[p]!;
    }
    if (blocks !== this.liveBlocks || bytes !== this.liveBytes || usable !== this.usableBytes) {
      bad(`objects and blocks add up to ${blocks} / ${bytes} bytes / ${usable} usable, the counters say ${this.liveBlocks} / ${this.liveBytes} / ${this.usableBytes}`);
    }
    if (this.source.kind === 'own-pool') {
      try {
        this.source.frames.check();
      } catch (e) {
        bad((e as Error).message);
      }
      if (frames !== this.source.frames.framesInUse) bad(`slabs and large blocks hold ${frames} frames, the frame allocator has ${this.source.frames.framesInUse} in use`);
    }
  }
}

/** Makes a kmalloc allocator over a space. */
export function createKmallocAllocator(space: AddressSpace, options: Partial<KmallocOptions> = {}): KmallocAllocator {
  return new KmallocAllocator(space, options);
}
