/*
 * DlmallocAllocator: Doug Lea's design over a heaplab address space. This file holds the class:
 * construction (the state mapping), the malloc entry (tcache, then placement), free (validation,
 * tcache, coalescing), lookup (usableSize, blockAt) and figures. The rest, one concern a file:
 *   layout.ts   chunk and state layout, bin index     place.ts   where a request is carved
 *   bins.ts     free lists and their bitmap            top.ts     sbrk growth, trim, page release
 *   starts.ts   the chunk-start bitmap                 mapped.ts  chunks in their own mappings
 *   resize.ts   memalign and realloc in place          check.ts   the full walk of check()
 *   lowest.ts   first fit's lowest-address index        roving.ts  next fit's free-size tree
 *
 * Where memory comes from: the heap, one contiguous run of chunks from the heap base up to the
 * break, grown with sbrk(…, identity) and ending in the top chunk, trimmed from the top only;
 * requests ≥ the mmap threshold get their own mapping (the dynamic rule raises the threshold as
 * glibc's does); when sbrk fails (ENOMEM) or another owner moved the break, a request the heap
 * cannot serve gets its own mapping too (glibc maps a new non-contiguous top instead).
 *
 * free: a fast path checks a live heap chunk with its memory reads overlapped (release()), the
 * full validation (validate()) handles everything else and names misuse; then a small chunk
 * under best fit is parked in its tcache list (still marked in use); otherwise
 * it coalesces at once with both neighbours (boundary tags), merges into the victim or the top
 * when adjacent (the top may then be trimmed), else goes to its bin; whole pages of a large
 * result are released.
 *
 * Out of memory: before a request returns 0, the tcache is flushed, the top trimmed, and the
 * request tried once more (outOfMemory), so freeing everything always gives the space back.
 *
 * Invariants (checked by check.ts):
 *   Σ chunk sizes from heap base = top + topSize − heap base;  top + topSize = the break we set
 *   PINUSE(c) ⇔ CINUSE(prev(c)) for every heap chunk but the first (PINUSE set);
 *   no two adjacent chunks are free (victim and top included); top is last and its prev in use;
 *   free chunk: footer (next's prev_foot) = size; in exactly one bin, or is the victim or top;
 *   in-use chunk: canary (next's prev_foot) = c ^ secret; TCACHED ⇒ CINUSE, in one tcache list;
 *   liveBlocks = |in-use, not tcached chunks| + |mmapped chunks|; liveBytes = Σ requested (c+8).
 * Safe-linking (option): tcache links are stored as ((c + 8) >> 12) XOR next and checked when popped
 * (a parked chunk of the list's size inside the heap); bins verify a chunk's neighbours point back
 * at it before unlinking it (bins.ts), and free verifies the neighbours it will merge with before
 * it counts anything — a forged link is `corrupted-link`.
 * Misuse is detected before any state changes (release()'s fast path accepts only what
 * validate() accepts; everything else goes through validate()).
 */

import {
  AllocatorBase, PROT_READ, PROT_WRITE, alignUp, hex,
  type AddressSpace, type BlockInfo, type HeapFigures, type Inspection,
} from '@heaplab/core';
import { inspectDlmalloc } from './inspect.js';
import type { DlmallocOptions } from './api.js';
import { Bins, ORDER_ADDRESS, ORDER_NONE, ORDER_SIZE } from './bins.js';
import { checkHeap } from './check.js';
import {
  CANARY, CINUSE, F, HEADER, MAX_HEAP_REQUEST, MIN_CHUNK, MMAPPED, PINUSE, SMALL_LIMIT,
  STARTS_OFFSET, TCACHED, TCACHE_OFFSET, W,
} from './layout.js';
import { POLICY_BEST, POLICY_NEXT, resolveOptions } from './options.js';
import { hasMagic, mappedHeaderDamage, mmapChunk, mmappedChunkAt, unmapChunk } from './mapped.js';
import { allocateAligned, resizeInPlace } from './resize.js';
import { RovingIndex } from './roving.js';
import { ChunkStarts } from './starts.js';
import { takeBest, takeFirst, takeNext, takeTop } from './place.js';
import { consolidate, releasePages, trim } from './top.js';

const RW = PROT_READ | PROT_WRITE;
const KIND_HEAP = 1;
const KIND_MMAPPED = 2;

export class DlmallocAllocator extends AllocatorBase {
  readonly options: Readonly<DlmallocOptions>;
  /** @internal views of the buffer (remade when a wasm memory grows). */
  u32: Uint32Array;
  /** @internal */
  f64: Float64Array;
  /** @internal the state mapping: state page then the chunk-start bitmap. */
  readonly stateBase: number;
  /** @internal */
  readonly stateEnd: number;
  /** @internal u32 index of the state page. */
  readonly sw: number;
  /** @internal f64 index of the state page. */
  readonly fw: number;
  /** @internal */
  readonly bins: Bins;
  /** @internal */
  readonly starts: ChunkStarts;
  /** @internal policy code (options.ts). */
  readonly policy: number;
  /** @internal */
  readonly topPad: number;
  /** @internal */
  readonly releaseThreshold: number;
  /** @internal most chunks per tcache list (0: no tcache). */
  readonly tcacheMax: number;
  /** @internal u32 index of the tcache heads; counts are 64 words further. */
  readonly tw: number;
  /** @internal the canary of heap chunk c is (c ^ secret) >>> 0, in the next chunk's prev_foot. */
  readonly secret: number;
  /** @internal the chunk-start bitmap's base address and first u32 index (copied from starts for free's fast path). */
  readonly startsBase: number;
  /** @internal */
  readonly startsW0: number;
  /** @internal recently unmapped user pointers (a ring), for double-free of large blocks. */
  readonly recent: Float64Array;
  /** @internal */
  recentAt = 0;
  /** @internal chunk headers read by next fit's searches (a work count for tests of its cost). */
  searchSteps = 0;
  /** @internal safe-linking: −1 mangles tcache links with their address, 0 stores them plain. */
  readonly sl: number;

  constructor(space: AddressSpace, options: Partial<DlmallocOptions> = {}) {
    const r = resolveOptions(options);
    super(space, {
      name: 'dlmalloc-style',
      family: 'boundary-tag',
      parameters: { ...r.options },
      description: "Doug Lea's design: boundary tags, exact and size-sorted bins, a designated victim, an sbrk'd top chunk trimmed from the top, mmap above a threshold",
    });
    this.options = r.options;
    this.policy = r.policy;
    this.topPad = r.options.topPad;
    this.releaseThreshold = r.options.releaseThreshold === 0 ? Infinity : r.options.releaseThreshold;
    this.recent = new Float64Array(r.options.unmapHistory);
    const startsBytes = Math.ceil((space.size - space.startBrk) / 128);
    // Next fit's free-size tree follows the chunk-start bitmap in the state mapping.
    const rovingAt = alignUp(STARTS_OFFSET + startsBytes, 16);
    const rovingBytes = r.policy === POLICY_NEXT ? RovingIndex.bytesFor(space.size - space.startBrk) : 0;
    const len = alignUp(rovingAt + rovingBytes, space.pageSize);
    this.stateBase = space.mmap(0, len, RW, 0, this.identity);
    this.stateEnd = this.stateBase + len;
    this.sw = this.stateBase >>> 2;
    this.tw = (this.stateBase + TCACHE_OFFSET) >>> 2;
    this.tcacheMax = this.policy === POLICY_BEST ? r.options.tcache : 0;
    this.sl = r.options.safeLinking ? -1 : 0;
    this.secret = (Math.imul(this.stateBase, 0x9e3779b1) ^ CANARY) >>> 0;
    this.fw = this.stateBase / 8;
    this.u32 = space.u32;
    this.f64 = space.f64;
    this.bins = new Bins(this.u32, this.stateBase, this.policy === POLICY_BEST ? ORDER_SIZE : this.policy === POLICY_NEXT ? ORDER_NONE : ORDER_ADDRESS);
    this.starts = new ChunkStarts(this.u32, this.stateBase + STARTS_OFFSET, space.startBrk);
    this.bins.safe = r.options.safeLinking;
    this.bins.onCorrupt = (c, fd, bk) => this.misuse('corrupted-link', `the free chunk at ${hex(c)} has bin links fd ${hex(fd)}, bk ${hex(bk)} that do not point back at it: a freed block was written after free (an unlink would write through them)`, c + HEADER);
    if (this.policy === POLICY_NEXT) this.bins.roving = new RovingIndex(this.u32, this.stateBase + rovingAt, space.startBrk, space.size - space.startBrk);
    this.startsBase = this.starts.base;
    this.startsW0 = this.starts.w0;
    const u32 = this.u32;
    u32[this.sw + W.mmapThreshold] = r.mmapThreshold;
    u32[this.sw + W.trimThreshold] = r.trimThreshold;
    u32[this.sw + W.dynamic] = r.dynamic ? 1 : 0;
    space.onRefresh((s) => {
      this.u32 = s.u32;
      this.f64 = s.f64;
      this.bins.u32 = s.u32;
      if (this.bins.lowest !== null) this.bins.lowest.u32 = s.u32;
      if (this.bins.roving !== null) this.bins.roving.u32 = s.u32;
      this.starts.u32 = s.u32;
    });
  }

  /** The current mmap threshold (bytes): requests at or above it get their own mapping. */
  get mmapThreshold(): number {
    return this.u32[this.sw + W.mmapThreshold]!;
  }

  /** The current trim threshold (bytes). */
  get trimThreshold(): number {
    return this.u32[this.sw + W.trimThreshold]!;
  }

  /** The top chunk's address and size, and the heap's base (0 before the first sbrk). */
  get heap(): { base: number; top: number; topSize: number } {
    const u32 = this.u32;
    return { base: u32[this.sw + W.heapBase]!, top: u32[this.sw + W.top]!, topSize: u32[this.sw + W.topSize]! };
  }

  // ------------------------------------------------------------------ malloc

  /**
   * malloc. Every chunk the heap hands out here has exactly nb bytes: the tcache lists hold one
   * size each, and every take* function either finds a chunk of nb bytes or splits one (sizes are
   * multiples of 16, so any larger chunk leaves a remainder of at least MIN_CHUNK) — so the header
   * is not read back. The small exact-bin and tcache hits, the commonest requests, stay inline.
   */
  protected allocate(size: number, align: number): number {
    if (align > 16) {
      const p = allocateAligned(this, size, align);
      return p !== 0 ? p : this.outOfMemory(size, align);
    }
    let u32 = this.u32;
    if (size < u32[this.sw + W.mmapThreshold]! && size < MAX_HEAP_REQUEST) {
      const nb = (size + 31) & ~15;
      let c = 0;
      if (nb < SMALL_LIMIT && this.tcacheMax !== 0) {
        // tcache: pop the last chunk of this size freed (still marked in use).
        const ti = this.tw + (nb >>> 4);
        c = u32[ti]!;
        if (c !== 0) {
          const next = ((((c + 8) >>> 12) & this.sl) ^ u32[(c + 8) >>> 2]!) >>> 0;
          if (this.sl !== 0 && next !== 0 && !this.parked(next, nb)) this.badTcacheLink(c, next, nb);
          u32[ti] = next;
          u32[ti + 64]!--;
          u32[(c + 4) >>> 2]! &= ~TCACHED;
        }
      }
      if (c === 0) {
        const policy = this.policy;
        c = policy === POLICY_BEST ? takeBest(this, nb) : policy === POLICY_NEXT ? takeNext(this, nb) : takeFirst(this, nb);
        if (c === 0) {
          c = takeTop(this, nb);
          if (c === 0) {
            const p = mmapChunk(this, size, 16);
            return p !== 0 ? p : this.outOfMemory(size, 16);
          }
          u32 = this.u32; // growing the heap may have remade the views (wasm memory)
        }
      }
      u32[(c + 8) >>> 2] = size;
      u32[(c + nb) >>> 2] = (c ^ this.secret) >>> 0;
      const f64 = this.f64;
      const fw = this.fw;
      f64[fw + F.liveBlocks]!++;
      f64[fw + F.liveBytes]! += size;
      f64[fw + F.usableBytes]! += nb - HEADER;
      return c + HEADER;
    }
    const p = mmapChunk(this, size, 16);
    return p !== 0 ? p : this.outOfMemory(size, 16);
  }

  /** @internal the tcache link chunk c holds, revealed (safe-linking) or as stored. */
  revealTcache(c: number): number {
    return ((((c + 8) >>> 12) & this.sl) ^ this.u32[(c + 8) >>> 2]!) >>> 0;
  }

  /** Safe-linking: x is a chunk of size nb parked in the tcache, inside the heap. */
  private parked(x: number, nb: number): boolean {
    const u32 = this.u32;
    if ((x & 15) !== 0 || x < u32[this.sw + W.heapBase]! || x >= u32[this.sw + W.top]!) return false;
    const h = u32[(x + 4) >>> 2]!;
    return (h & TCACHED) !== 0 && ((h & ~15) >>> 0) === nb;
  }

  private badTcacheLink(c: number, next: number, nb: number): never {
    return this.misuse('corrupted-link', `the tcache link of the parked ${nb}-byte chunk at ${hex(c)} names ${hex(next)}, not a parked chunk of that size in the heap: a freed block was written after free`, c + HEADER);
  }

  /**
   * Safe-linking: before free counts anything, the free neighbours it will merge with must sit in
   * their bins with links that point back at them (the victim and the top are in no bin).
   */
  private verifyNeighbours(c: number, h: number, s: number): void {
    const u32 = this.u32;
    const dv = u32[this.sw + W.dv]!;
    if (!(h & PINUSE)) {
      const p = c - u32[c >>> 2]!;
      if (p !== dv) this.bins.verify(p);
    }
    const n = c + s;
    if (n !== u32[this.sw + W.top]! && n !== dv && !(u32[(n + 4) >>> 2]! & CINUSE)) this.bins.verify(n);
  }

  /**
   * A request that found no memory, before it returns 0: gives back what the heap holds without
   * need — every chunk parked in the tcache is freed for real (coalesced with its neighbours,
   * merged into the top), and the top is trimmed to nothing above one chunk, so the break comes
   * down and mappings have room — then tries once more: the heap (whose free chunks now coalesce,
   * and which also serves a request at or above the mmap threshold when no mapping can be had, as
   * glibc's bins serve any size), then a mapping. glibc consolidates its fastbins before it gives
   * up in the same way. Cost: O(parked chunks), only when memory runs out.
   */
  private outOfMemory(size: number, align: number): number {
    const freed = consolidate(this);
    if (align > 16) return freed ? allocateAligned(this, size, align) : 0;
    if (size >= MAX_HEAP_REQUEST) return freed ? mmapChunk(this, size, 16) : 0;
    const p = this.fromHeap(size);
    return p !== 0 || !freed ? p : mmapChunk(this, size, 16);
  }

  /** size bytes from the heap's free chunks or its top only (no tcache, no mapping), counted; or 0. */
  private fromHeap(size: number): number {
    const nb = (size + 31) & ~15;
    const policy = this.policy;
    let c = policy === POLICY_BEST ? takeBest(this, nb) : policy === POLICY_NEXT ? takeNext(this, nb) : takeFirst(this, nb);
    if (c === 0) c = takeTop(this, nb);
    if (c === 0) return 0;
    const u32 = this.u32;
    u32[(c + 8) >>> 2] = size;
    u32[(c + nb) >>> 2] = (c ^ this.secret) >>> 0;
    this.account(1, size, nb - HEADER);
    return c + HEADER;
  }

  protected override allocateZeroed(size: number): number {
    const p = this.allocate(size, 16);
    if (p !== 0 && size > 0 && !(this.u32[(p - 12) >>> 2]! & MMAPPED)) this.space.u8.fill(0, p, p + size);
    return p;
  }

  /** @internal */
  account(blocks: number, bytes: number, usable: number): void {
    const f64 = this.f64;
    const fw = this.fw;
    f64[fw + F.liveBlocks]! += blocks;
    f64[fw + F.liveBytes]! += bytes;
    f64[fw + F.usableBytes]! += usable;
  }

  // ------------------------------------------------------------------ free

  /**
   * Checks that ptr is the user pointer of a live chunk of ours, before anything changes.
   * Heap: a chunk starts at ptr − 16 (chunk-start bitmap), is in use, sane in size, and the next
   * chunk's PINUSE agrees. Mmapped: a well-formed header in pages we own. Otherwise double-free
   * when the header there says "freed" (or ptr is among the recent munmaps), else invalid-free.
   */
  private validate(ptr: number, what: string): number {
    const u32 = this.u32;
    const sw = this.sw;
    const c = ptr - HEADER;
    if ((ptr & 15) === 0 && c > 0) {
      const hb = u32[sw + W.heapBase]!;
      const end = u32[sw + W.top]! + u32[sw + W.topSize]!;
      if (hb !== 0 && c >= hb && c < end) {
        const h = u32[(c + 4) >>> 2]!;
        const s = (h & ~15) >>> 0;
        const sane = s >= MIN_CHUNK && c + s <= end;
        if (this.starts.has(c)) {
          if (h & TCACHED) this.misuse('double-free', `${what}(${hex(ptr)}): the chunk is already free (in the tcache)`, ptr);
          if (h & CINUSE && sane && u32[(c + s + 4) >>> 2]! & PINUSE) {
            if (u32[(c + s) >>> 2] !== ((c ^ this.secret) >>> 0)) {
              this.misuse('canary-corrupted', `${what}(${hex(ptr)}): the canary after the block was overwritten (overflow)`, ptr);
            }
            return KIND_HEAP;
          }
          if (!(h & CINUSE)) this.misuse('double-free', `${what}(${hex(ptr)}): the chunk is already free`, ptr);
          this.misuse('invalid-free', `${what}(${hex(ptr)}): the chunk's header is damaged`, ptr);
        }
        if (!(h & CINUSE) && sane && (h & MMAPPED) === 0) this.misuse('double-free', `${what}(${hex(ptr)}): freed before and merged with a neighbour`, ptr);
        this.misuse('invalid-free', `${what}(${hex(ptr)}): no chunk starts at ${hex(c)}`, ptr);
      }
      if (!(c >= this.stateBase && c < this.stateEnd) && hasMagic(this, c)) {
        // c was a mapped chunk's address (its magic word is intact): a bad header is damage to
        // this block (an overflow from the mapping below reaches its head first), named here.
        const damage = mappedHeaderDamage(this, c);
        if (damage === null) return KIND_MMAPPED;
        this.misuse('canary-corrupted', `${what}(${hex(ptr)}): the header of this mmapped block was overwritten (${damage}); an overflow from the memory below it?`, ptr);
      }
    }
    if (this.recent.includes(ptr)) this.misuse('double-free', `${what}(${hex(ptr)}): this mmapped block was already unmapped`, ptr);
    this.misuse('invalid-free', `${what}(${hex(ptr)}): not a block of this allocator`, ptr);
  }

  /**
   * free. The fast path accepts exactly what validate() accepts as a live heap chunk, in an order
   * that lets the memory reads overlap: the chunk-start word (one bit per 16 bytes, so 1/128 of
   * the heap, and mostly cached) gives the next chunk's address without the header, so the header and the next chunk's head and canary
   * (often two cache lines, both cold when a long-lived block is freed) are read in parallel
   * rather than one after the other; the header's size must then agree with the bitmap. When the
   * next start is more than one bitmap word away (a chunk of about 512 bytes or more), its
   * address comes from the header. Anything else — misuse, mmapped chunks — goes to validate(), which names it.
   */
  protected release(ptr: number, size: number | undefined): void {
    const u32 = this.u32;
    const sw = this.sw;
    const c = ptr - HEADER;
    const top = u32[sw + W.top]!;
    // c < top also rules out an empty heap (heap base = top = 0).
    if ((ptr & 15) === 0 && c >= u32[sw + W.heapBase]! && c < top) {
      const i = (c - this.startsBase) >>> 4;
      const b = i & 31;
      const w = this.startsW0 + (i >>> 5);
      const word = u32[w]!;
      const above = word & (-2 << b); // chunk starts after c in the same word
      const h = u32[(c + 4) >>> 2]!;
      const s = (h & ~15) >>> 0;
      let n = c + s;
      if (above !== 0) n = c + ((31 - Math.clz32(above & -above) - b) << 4);
      else {
        // The next start may be in the following word (c near a word's end). That word lies
        // inside the bitmap: c < top, and the heap ends below the state mapping.
        const more = u32[w + 1]!;
        if (more !== 0) n = c + ((63 - Math.clz32(more & -more) - b) << 4);
      }
      if ((word & (1 << b)) !== 0 && n === c + s && s >= MIN_CHUNK && n <= top) {
        const canary = u32[n >>> 2]!;
        if ((h & (CINUSE | TCACHED)) === CINUSE && (u32[(n + 4) >>> 2]! & PINUSE) !== 0 && canary === ((c ^ this.secret) >>> 0)) {
          this.releaseHeap(c, h, s, size);
          return;
        }
      }
    }
    if (this.validate(ptr, 'free') === KIND_HEAP) {
      const h = this.u32[(c + 4) >>> 2]!;
      this.releaseHeap(c, h, (h & ~15) >>> 0, size);
      return;
    }
    const req = this.u32[(c + 8) >>> 2]!;
    if (size !== undefined && size !== req) this.misuse('size-mismatch', `free_sized(${hex(ptr)}, ${size}) of a block of ${req} bytes`, ptr);
    unmapChunk(this, c);
  }

  /** Frees validated in-use heap chunk c (head h, size s): checks a sized free, counts, then tcache or freeChunk. */
  private releaseHeap(c: number, h: number, s: number, size: number | undefined): void {
    const u32 = this.u32;
    const req = u32[(c + 8) >>> 2]!;
    if (size !== undefined && size !== req) this.misuse('size-mismatch', `free_sized(${hex(c + HEADER)}, ${size}) of a block of ${req} bytes`, c + HEADER);
    const parks = s < SMALL_LIMIT && u32[this.tw + (s >>> 4) + 64]! < this.tcacheMax;
    if (this.sl !== 0 && !parks) this.verifyNeighbours(c, h, s);
    const f64 = this.f64;
    const fw = this.fw;
    f64[fw + F.liveBlocks]!--;
    f64[fw + F.liveBytes]! -= req;
    f64[fw + F.usableBytes]! -= s - HEADER;
    if (s < SMALL_LIMIT) {
      // tcache: park the chunk, still marked in use, unless its list is full.
      const ti = this.tw + (s >>> 4);
      if (u32[ti + 64]! < this.tcacheMax) {
        u32[(c + 4) >>> 2] = h | TCACHED;
        u32[(c + 8) >>> 2] = ((((c + 8) >>> 12) & this.sl) ^ u32[ti]!) >>> 0;
        u32[ti] = c;
        u32[ti + 64]!++;
        return;
      }
    }
    this.freeChunk(c, s);
  }

  /**
   * Frees in-use heap chunk c of size s: coalesces with a free previous chunk (its prev_foot) and
   * a free next chunk, merges into the top (then trims) or the victim when adjacent, else bins it.
   * Leaves c's head with CINUSE clear even when c is absorbed, so a second free is recognised.
   * @internal
   */
  freeChunk(c: number, s: number): void {
    const u32 = this.u32;
    const sw = this.sw;
    const bins = this.bins;
    const starts = this.starts;
    const h = u32[(c + 4) >>> 2]!;
    const n = c + s;
    const freed = c;
    const dv = u32[sw + W.dv]!;
    let toVictim = false;
    if (!(h & PINUSE)) {
      u32[(c + 4) >>> 2] = h & ~CINUSE; // absorbed: its stale head says "free" for double-free detection
      const ps = u32[c >>> 2]!;
      const p = c - ps;
      starts.clear(c);
      if (p === dv) toVictim = true;
      else bins.unlink(p, ps);
      c = p;
      s += ps;
    }
    if (n === u32[sw + W.top]!) {
      starts.clear(n);
      const ts = u32[sw + W.topSize]! + s;
      u32[sw + W.top] = c;
      u32[sw + W.topSize] = ts;
      u32[(c + 4) >>> 2] = ts | PINUSE;
      if (toVictim) {
        u32[sw + W.dv] = 0;
        u32[sw + W.dvSize] = 0;
      }
      if (ts >= u32[sw + W.trimThreshold]!) trim(this);
      if (ts >= this.releaseThreshold) releasePages(this, c, u32[sw + W.topSize]!, freed, n);
      return;
    }
    const nh = u32[(n + 4) >>> 2]!;
    if (!(nh & CINUSE)) {
      const ns = (nh & ~15) >>> 0;
      starts.clear(n);
      if (n === dv) toVictim = true;
      else bins.unlink(n, ns);
      s += ns;
    } else {
      u32[(n + 4) >>> 2] = nh & ~PINUSE;
    }
    u32[(c + 4) >>> 2] = s | PINUSE;
    u32[(c + s) >>> 2] = s;
    if (toVictim) {
      u32[sw + W.dv] = c;
      u32[sw + W.dvSize] = s;
    } else {
      bins.insert(c, s);
    }
    if (s >= this.releaseThreshold) releasePages(this, c, s, freed, n);
  }

  // ------------------------------------------------------------------ realloc in place

  protected override resizeInPlace(ptr: number, size: number): number {
    return resizeInPlace(this, ptr, size);
  }

  // ------------------------------------------------------------------ lookup

  protected usable(ptr: number): number {
    this.validate(ptr, 'usableSize');
    return ((this.u32[(ptr - 12) >>> 2]! & ~15) >>> 0) - HEADER;
  }

  /** realloc's check of the old block: everything free checks (validate), named as realloc. */
  protected override validateRelease(ptr: number): number {
    this.validate(ptr, 'realloc');
    return ((this.u32[(ptr - 12) >>> 2]! & ~15) >>> 0) - HEADER;
  }

  /**
   * The live block holding addr. Heap: the chunk-start bitmap is scanned down from addr (starts.ts:
   * one word read per 512 bytes between addr and its chunk's start). Mmapped: pages are walked
   * down from addr to the page where its mapping starts (one header test per page).
   */
  /** What this allocator keeps at `addr`: the chunk, its bin or list (inspect.ts). */
  inspect(addr: number, brief = false): Inspection | undefined {
    return inspectDlmalloc(this, addr, brief);
  }

  blockAt(addr: number): BlockInfo | null {
    if (!(Number.isInteger(addr) && addr > 0 && addr < this.space.size)) return null;
    const u32 = this.u32;
    const sw = this.sw;
    const hb = u32[sw + W.heapBase]!;
    if (hb !== 0 && addr >= hb && addr < u32[sw + W.top]! + u32[sw + W.topSize]!) {
      const c = this.starts.below(addr, hb);
      if (c < 0) return null;
      const h = u32[(c + 4) >>> 2]!;
      if (addr - c >= HEADER) return (h & (CINUSE | TCACHED)) === CINUSE ? { base: c + HEADER, size: ((h & ~15) >>> 0) - HEADER } : null;
      // In c's header: only the size-0 block of a 16-byte chunk right below ends here.
      if (addr !== c || c === hb) return null;
      const p = this.starts.below(c - 1, hb);
      if (p < 0 || p + HEADER !== c) return null;
      return (u32[(p + 4) >>> 2]! & (CINUSE | TCACHED)) === CINUSE ? { base: c, size: 0 } : null;
    }
    if (this.space.ownerIndexAt(addr) !== this.ownerIndex || (addr >= this.stateBase && addr < this.stateEnd)) return null;
    const ps = this.space.pageSize;
    const heapEnd = u32[sw + W.top]! + u32[sw + W.topSize]!;
    for (let m = Math.floor(addr / ps) * ps; m > 0 && m >= heapEnd; m -= ps) {
      if (this.space.ownerIndexAt(m) !== this.ownerIndex || (m >= this.stateBase && m < this.stateEnd)) return null;
      const c = mmappedChunkAt(this, m);
      if (c === 0) continue;
      const s = (u32[(c + 4) >>> 2]! & ~15) >>> 0;
      return addr >= c + HEADER && addr < c + s ? { base: c + HEADER, size: s - HEADER } : null;
    }
    return null;
  }

  /**
   * For objectSize: the free heap chunk holding addr — binned, the victim, or parked in the tcache
   * (still marked in use) — as the block it was, or null. A free chunk may also be memory never
   * handed out (a split remainder): it is answered the same. The top chunk, headers and unmapped
   * blocks are not blocks (null: objectSize then says invalid-free).
   */
  protected override freedBlockAt(addr: number): BlockInfo | null {
    if (!(Number.isInteger(addr) && addr > 0 && addr < this.space.size)) return null;
    const u32 = this.u32;
    const sw = this.sw;
    const hb = u32[sw + W.heapBase]!;
    const top = u32[sw + W.top]!;
    if (hb === 0 || addr < hb || addr >= top) return null;
    const c = this.starts.below(addr, hb);
    if (c < 0 || addr - c < HEADER) return null;
    const h = u32[(c + 4) >>> 2]!;
    const s = (h & ~15) >>> 0;
    if ((h & CINUSE) !== 0 && (h & TCACHED) === 0) return null;
    return addr < c + s ? { base: c + HEADER, size: s - HEADER } : null;
  }

  // ------------------------------------------------------------------ figures and check

  protected figures(): HeapFigures {
    const f64 = this.f64;
    const fw = this.fw;
    const live = f64[fw + F.liveBlocks]!;
    const hb = this.u32[this.sw + W.heapBase]!;
    const heapEnd = this.u32[this.sw + W.top]! + this.u32[this.sw + W.topSize]!;
    return {
      liveBlocks: live,
      liveBytes: f64[fw + F.liveBytes]!,
      usableBytes: f64[fw + F.usableBytes]!,
      // Headers, the state page, the chunk-start bitmap over the heap, and next fit's tree over it.
      metadataBytes: live * HEADER + STARTS_OFFSET + (hb === 0 ? 0 : Math.ceil((heapEnd - hb) / 128) + (this.policy === POLICY_NEXT ? Math.ceil((heapEnd - hb) / 256) : 0)),
      // All state is in the space but the ring of recently unmapped pointers (unmapHistory × 8 B).
      externalBytes: this.recent.byteLength,
    };
  }

  /** Figures of the mmapped chunks: how many and their mapped bytes. */
  mmapped(): { chunks: number; bytes: number } {
    return { chunks: this.f64[this.fw + F.mmappedChunks]!, bytes: this.f64[this.fw + F.mmappedBytes]! };
  }

  check(): void {
    checkHeap(this);
  }
}

/** Makes a dlmalloc-style allocator over a space. */
export function createDlmallocAllocator(space: AddressSpace, options: Partial<DlmallocOptions> = {}): DlmallocAllocator {
  return new DlmallocAllocator(space, options);
}
