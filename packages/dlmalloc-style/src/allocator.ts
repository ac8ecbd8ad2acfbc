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
 *   in-use chunk: canary (next's prev_foot) = (c − wb) ^ secret; TCACHED ⇒ CINUSE, in one tcache list;
 *   liveBlocks = |in-use, not tcached chunks| + |mmapped chunks|; liveBytes = Σ requested (c+8).
 * Safe-linking (option): tcache links are stored as ((off + 8) >> 12) XOR next (offsets from wb) and checked when popped
 * (a parked chunk of the list's size inside the heap); bins verify a chunk's neighbours point back
 * at it before unlinking it (bins.ts), and free verifies the neighbours it will merge with before
 * it counts anything — a forged link is `corrupted-link`.
 * Any space size: memory is read and written through the space's RawMemory (this.m), and in-band
 * address words hold offsets from the window base wb (layout.ts): 0 in a flat space, a page
 * below the break in a paged one, whose 4 GiB window ends at the state mapping (when that place is
 * taken, the state goes top-down and the heap is never grown: every request is mapped).
 * Misuse is detected before any state changes (release()'s fast path accepts only what
 * validate() accepts; everything else goes through validate()).
 */

import {
  AllocatorBase, KernelError, MAP_FIXED_NOREPLACE, PROT_READ, PROT_WRITE, alignUp, hex,
  type AddressSpace, type BlockInfo, type HeapFigures, type Inspection, type RawMemory,
} from '@heaplab/core';
import { inspectDlmalloc } from './inspect.js';
import type { DlmallocOptions } from './api.js';
import { Bins, ORDER_ADDRESS, ORDER_NONE, ORDER_SIZE } from './bins.js';
import { checkHeap } from './check.js';
import {
  CANARY, CINUSE, HEADER, MAX_HEAP_REQUEST, MIN_CHUNK, MMAPPED, PINUSE, SMALL_LIMIT, STARTS_OFFSET,
  S_DV, S_DV_SIZE, S_DYNAMIC, S_HEAP_BASE,
  S_MMAP_THRESHOLD, S_TOP, S_TOP_SIZE, S_TRIM_THRESHOLD, TCACHED, TCACHE_OFFSET, TWO32,
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
  /** @internal the space's raw memory (space.raw; a flat one follows a wasm memory's growth itself). */
  readonly m: RawMemory;
  /**
   * @internal the window base: every in-band address word (links, state words, tcache heads)
   * holds address − wb, below 2^32. 0 in a space of at most 4 GiB (the word is the address).
   */
  readonly wb: number;
  /** @internal the lowest address the heap may start at (the chunk-start bitmap's base). */
  readonly heapLo: number;
  /** @internal the state mapping: state page then the chunk-start bitmap. */
  readonly stateBase: number;
  /** @internal */
  readonly stateEnd: number;
  /** @internal u32 index of the state page (flat spaces only: tests read the state through space.u32). */
  readonly sw: number;
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
  /** @internal byte address of the tcache heads (one word per size / 16); counts are 256 bytes further. */
  readonly ta: number;
  /** @internal the canary of heap chunk c is ((c − wb) ^ secret) >>> 0, in the next chunk's prev_foot. */
  readonly secret: number;
  /** @internal the chunk-start bitmap's base address and its byte address (copied from starts for free's fast path). */
  readonly startsBase: number;
  /** @internal */
  readonly startsAt: number;
  /**
   * @internal the counters: live blocks, requested and usable bytes, mmapped chunks and their
   * bytes. Plain number fields (40 bytes outside the space) rather than f64 words of the state
   * page: each update in malloc and free is then no accessor call, which keeps those paths small
   * enough for V8 to inline their helpers (releaseHeap, unlink, split, insert).
   */
  nBlocks = 0;
  /** @internal */
  nBytes = 0;
  /** @internal */
  nUsable = 0;
  /** @internal */
  nMapped = 0;
  /** @internal */
  nMappedBytes = 0;
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
    const ps = space.pageSize;
    // The window: in a space of at most 4 GiB, all of it (wb = 0); in a larger one, the 4 GiB from
    // a page below the break, with the state mapping placed at its top so that the heap (which
    // the state mapping caps) and the bin heads are both inside it.
    const windowed = space.size > TWO32;
    let heapLo = windowed ? Math.floor(space.currentBrk / ps) * ps : space.startBrk;
    let wb = windowed ? heapLo - ps : 0;
    const span = windowed ? TWO32 - ps : space.size - space.startBrk;
    const startsBytes = Math.ceil(span / 128);
    // Next fit's free-size tree follows the chunk-start bitmap in the state mapping.
    const rovingAt = alignUp(STARTS_OFFSET + startsBytes, 16);
    const rovingBytes = r.policy === POLICY_NEXT ? RovingIndex.bytesFor(span) : 0;
    const len = alignUp(rovingAt + rovingBytes, ps);
    let stateBase = 0;
    if (windowed) {
      try {
        stateBase = space.mmap(wb + TWO32 - len, len, RW, MAP_FIXED_NOREPLACE, this.identity);
      } catch (e) {
        if (!(e instanceof KernelError) || e.code === 'EINVAL') throw e;
        // The window's top is taken (another dlmalloc-style in this space holds it, or a mapping
        // of another owner): the state goes top-down, its window ends there, and the heap is never
        // grown (the break lies far below the window), so every request gets its own mapping.
        stateBase = space.mmap(0, len, RW, 0, this.identity);
        wb = stateBase + len - TWO32;
        heapLo = stateBase;
      }
    } else {
      stateBase = space.mmap(0, len, RW, 0, this.identity);
    }
    this.stateBase = stateBase;
    this.heapLo = heapLo;
    this.wb = wb;
    this.m = space.raw;
    this.stateEnd = this.stateBase + len;
    this.sw = this.stateBase / 4;
    this.ta = this.stateBase + TCACHE_OFFSET;
    this.tcacheMax = this.policy === POLICY_BEST ? r.options.tcache : 0;
    this.sl = r.options.safeLinking ? -1 : 0;
    this.secret = (Math.imul(this.stateBase - this.wb, 0x9e3779b1) ^ CANARY) >>> 0;
    this.bins = new Bins(this.m, this.stateBase, this.policy === POLICY_BEST ? ORDER_SIZE : this.policy === POLICY_NEXT ? ORDER_NONE : ORDER_ADDRESS, this.wb);
    this.starts = new ChunkStarts(this.m, this.stateBase + STARTS_OFFSET, this.heapLo);
    this.bins.safe = r.options.safeLinking;
    this.bins.onCorrupt = (c, fd, bk) => this.misuse('corrupted-link', `the free chunk at ${hex(c)} has bin links fd ${hex(fd)}, bk ${hex(bk)} that do not point back at it: a freed block was written after free (an unlink would write through them)`, c + HEADER);
    if (this.policy === POLICY_NEXT) this.bins.roving = new RovingIndex(this.m, this.stateBase + rovingAt, this.heapLo, span);
    this.startsBase = this.starts.base;
    this.startsAt = this.starts.at;
    const mem = this.m;
    const sa = this.stateBase;
    mem.setU32(sa + S_MMAP_THRESHOLD, r.mmapThreshold);
    mem.setU32(sa + S_TRIM_THRESHOLD, r.trimThreshold);
    mem.setU32(sa + S_DYNAMIC, r.dynamic ? 1 : 0);
  }

  /** The current mmap threshold (bytes): requests at or above it get their own mapping. */
  get mmapThreshold(): number {
    return this.m.u32(this.stateBase + S_MMAP_THRESHOLD);
  }

  /** The current trim threshold (bytes). */
  get trimThreshold(): number {
    return this.m.u32(this.stateBase + S_TRIM_THRESHOLD);
  }

  /** The top chunk's address and size, and the heap's base (0 before the first sbrk). */
  get heap(): { base: number; top: number; topSize: number } {
    const mem = this.m;
    const sa = this.stateBase;
    const hb = mem.u32(sa + S_HEAP_BASE);
    return { base: hb === 0 ? 0 : this.wb + hb, top: hb === 0 ? 0 : this.wb + mem.u32(sa + S_TOP), topSize: mem.u32(sa + S_TOP_SIZE) };
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
    const mem = this.m;
    const sa = this.stateBase;
    const wb = this.wb;
    if (size < mem.u32(sa + S_MMAP_THRESHOLD) && size < MAX_HEAP_REQUEST) {
      const nb = (size + 31) & ~15;
      let c = 0;
      if (nb < SMALL_LIMIT && this.tcacheMax !== 0) {
        // tcache: pop the last chunk of this size freed (still marked in use). Heads and links
        // are offsets from wb (0: the list's end); the mangling uses the link's own offset.
        const ti = this.ta + (nb >>> 2);
        const off = mem.u32(ti);
        if (off !== 0) {
          c = wb + off;
          const next = ((((off + 8) >>> 12) & this.sl) ^ mem.u32(c + 8)) >>> 0;
          if (this.sl !== 0 && next !== 0 && !this.parked(wb + next, nb)) this.badTcacheLink(c, wb + next, nb);
          mem.setU32(ti, next);
          mem.setU32(ti + 256, mem.u32(ti + 256) - 1);
          mem.setU32(c + 4, mem.u32(c + 4) & ~TCACHED);
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
        }
      }
      mem.setU32(c + 8, size);
      mem.setU32(c + nb, ((c - wb) ^ this.secret) >>> 0);
      this.nBlocks++;
      this.nBytes += size;
      this.nUsable += nb - HEADER;
      return c + HEADER;
    }
    const p = mmapChunk(this, size, 16);
    return p !== 0 ? p : this.outOfMemory(size, 16);
  }

  /** @internal the first chunk of tcache list k (chunks of 16·k bytes), or 0. */
  tcacheFirst(k: number): number {
    const off = this.m.u32(this.ta + 4 * k);
    return off === 0 ? 0 : this.wb + off;
  }

  /** @internal the tcache link chunk c holds, revealed (safe-linking) or as stored: the next chunk's address, or 0. */
  revealTcache(c: number): number {
    const off = c - this.wb;
    const next = ((((off + 8) >>> 12) & this.sl) ^ this.m.u32(c + 8)) >>> 0;
    return next === 0 ? 0 : this.wb + next;
  }

  /** @internal the canary heap chunk c's successor holds in its prev_foot while c is in use. */
  canary(c: number): number {
    return ((c - this.wb) ^ this.secret) >>> 0;
  }

  /** Safe-linking: x is a chunk of size nb parked in the tcache, inside the heap. */
  private parked(x: number, nb: number): boolean {
    const mem = this.m;
    const sa = this.stateBase;
    if ((x & 15) !== 0 || x < this.wb + mem.u32(sa + S_HEAP_BASE) || x >= this.wb + mem.u32(sa + S_TOP)) return false;
    const h = mem.u32(x + 4);
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
    const mem = this.m;
    const sa = this.stateBase;
    const wb = this.wb;
    const dv = wb + mem.u32(sa + S_DV);
    if (!(h & PINUSE)) {
      const p = c - mem.u32(c);
      if (p !== dv) this.bins.verify(p);
    }
    const n = c + s;
    if (n !== wb + mem.u32(sa + S_TOP) && n !== dv && !(mem.u32(n + 4) & CINUSE)) this.bins.verify(n);
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
    const mem = this.m;
    mem.setU32(c + 8, size);
    mem.setU32(c + nb, ((c - this.wb) ^ this.secret) >>> 0);
    this.account(1, size, nb - HEADER);
    return c + HEADER;
  }

  protected override allocateZeroed(size: number): number {
    const p = this.allocate(size, 16);
    if (p !== 0 && size > 0 && !(this.m.u32(p - 12) & MMAPPED)) this.m.fill(p, size, 0);
    return p;
  }

  /** @internal */
  account(blocks: number, bytes: number, usable: number): void {
    this.nBlocks += blocks;
    this.nBytes += bytes;
    this.nUsable += usable;
  }

  // ------------------------------------------------------------------ free

  /**
   * Checks that ptr is the user pointer of a live chunk of ours, before anything changes.
   * Heap: a chunk starts at ptr − 16 (chunk-start bitmap), is in use, sane in size, and the next
   * chunk's PINUSE agrees. Mmapped: a well-formed header in pages we own. Otherwise double-free
   * when the header there says "freed" (or ptr is among the recent munmaps), else invalid-free.
   */
  private validate(ptr: number, what: string): number {
    const mem = this.m;
    const sa = this.stateBase;
    const wb = this.wb;
    const c = ptr - HEADER;
    if ((ptr & 15) === 0 && c > 0) {
      const hbo = mem.u32(sa + S_HEAP_BASE);
      const hb = wb + hbo;
      const end = wb + mem.u32(sa + S_TOP) + mem.u32(sa + S_TOP_SIZE);
      if (hbo !== 0 && c >= hb && c < end) {
        const h = mem.u32(c + 4);
        const s = (h & ~15) >>> 0;
        const sane = s >= MIN_CHUNK && c + s <= end;
        if (this.starts.has(c)) {
          if (h & TCACHED) this.misuse('double-free', `${what}(${hex(ptr)}): the chunk is already free (in the tcache)`, ptr);
          if (h & CINUSE && sane && mem.u32(c + s + 4) & PINUSE) {
            if (mem.u32(c + s) !== (((c - wb) ^ this.secret) >>> 0)) {
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
    const mem = this.m;
    const sa = this.stateBase;
    const wb = this.wb;
    const c = ptr - HEADER;
    const top = wb + mem.u32(sa + S_TOP);
    // c < top also rules out an empty heap (heap base = top = 0).
    if ((ptr & 15) === 0 && c >= wb + mem.u32(sa + S_HEAP_BASE) && c < top) {
      const i = (c - this.startsBase) >>> 4;
      const b = i & 31;
      const w = this.startsAt + ((i >>> 5) << 2);
      const word = mem.u32(w);
      const above = word & (-2 << b); // chunk starts after c in the same word
      const h = mem.u32(c + 4);
      const s = (h & ~15) >>> 0;
      let n = c + s;
      if (above !== 0) n = c + ((31 - Math.clz32(above & -above) - b) << 4);
      else {
        // The next start may be in the following word (c near a word's end). That word lies
        // inside the bitmap: c < top, and the heap ends below the state mapping.
        const more = mem.u32(w + 4);
        if (more !== 0) n = c + ((63 - Math.clz32(more & -more) - b) << 4);
      }
      if ((word & (1 << b)) !== 0 && n === c + s && s >= MIN_CHUNK && n <= top) {
        const canary = mem.u32(n);
        if ((h & (CINUSE | TCACHED)) === CINUSE && (mem.u32(n + 4) & PINUSE) !== 0 && canary === (((c - wb) ^ this.secret) >>> 0)) {
          this.releaseHeap(c, h, s, size);
          return;
        }
      }
    }
    if (this.validate(ptr, 'free') === KIND_HEAP) {
      const h = mem.u32(c + 4);
      this.releaseHeap(c, h, (h & ~15) >>> 0, size);
      return;
    }
    const req = mem.u32(c + 8);
    if (size !== undefined && size !== req) this.misuse('size-mismatch', `free_sized(${hex(ptr)}, ${size}) of a block of ${req} bytes`, ptr);
    unmapChunk(this, c);
  }

  /** Frees validated in-use heap chunk c (head h, size s): checks a sized free, counts, then tcache or freeChunk. */
  private releaseHeap(c: number, h: number, s: number, size: number | undefined): void {
    const mem = this.m;
    const sa = this.stateBase;
    const req = mem.u32(c + 8);
    if (size !== undefined && size !== req) this.misuse('size-mismatch', `free_sized(${hex(c + HEADER)}, ${size}) of a block of ${req} bytes`, c + HEADER);
    const ti = this.ta + (s >>> 2);
    const parks = s < SMALL_LIMIT && mem.u32(ti + 256) < this.tcacheMax;
    if (this.sl !== 0 && !parks) this.verifyNeighbours(c, h, s);
    this.nBlocks--;
    this.nBytes -= req;
    this.nUsable -= s - HEADER;
    if (parks) {
      // tcache: park the chunk, still marked in use (its list is not full). Heads and links
      // hold offsets from wb; safe-linking mangles a link with its own offset >> 12.
      const off = c - this.wb;
      mem.setU32(c + 4, h | TCACHED);
      mem.setU32(c + 8, ((((off + 8) >>> 12) & this.sl) ^ mem.u32(ti)) >>> 0);
      mem.setU32(ti, off);
      mem.setU32(ti + 256, mem.u32(ti + 256) + 1);
      return;
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
    const mem = this.m;
    const sa = this.stateBase;
    const wb = this.wb;
    const bins = this.bins;
    const starts = this.starts;
    const h = mem.u32(c + 4);
    const n = c + s;
    const freed = c;
    const dvo = mem.u32(sa + S_DV);
    const dv = dvo === 0 ? 0 : wb + dvo;
    let toVictim = false;
    if (!(h & PINUSE)) {
      mem.setU32(c + 4, h & ~CINUSE); // absorbed: its stale head says "free" for double-free detection
      const ps = mem.u32(c);
      const p = c - ps;
      starts.clear(c);
      if (p === dv) toVictim = true;
      else bins.unlink(p, ps);
      c = p;
      s += ps;
    }
    if (n === wb + mem.u32(sa + S_TOP)) {
      this.mergeTop(c, s, toVictim, freed, n);
      return;
    }
    const nh = mem.u32(n + 4);
    if (!(nh & CINUSE)) {
      const ns = (nh & ~15) >>> 0;
      starts.clear(n);
      if (n === dv) toVictim = true;
      else bins.unlink(n, ns);
      s += ns;
    } else {
      mem.setU32(n + 4, nh & ~PINUSE);
    }
    mem.setU32(c + 4, s | PINUSE);
    mem.setU32(c + s, s);
    if (toVictim) {
      mem.setU32(sa + S_DV, c - wb);
      mem.setU32(sa + S_DV_SIZE, s);
    } else {
      bins.insert(c, s);
    }
    if (s >= this.releaseThreshold) releasePages(this, c, s, freed, n);
  }

  /**
   * freeChunk's end when the freed chunk (merged with a free predecessor into [c, c+s)) lies right
   * below the top n: the top grows down to c, then may be trimmed and its pages released. Out of
   * freeChunk's line, which keeps freeChunk small enough for V8 to inline the bin code into it.
   */
  private mergeTop(c: number, s: number, toVictim: boolean, freed: number, n: number): void {
    const mem = this.m;
    const sa = this.stateBase;
    this.starts.clear(n);
    const ts = mem.u32(sa + S_TOP_SIZE) + s;
    mem.setU32(sa + S_TOP, c - this.wb);
    mem.setU32(sa + S_TOP_SIZE, ts);
    mem.setU32(c + 4, ts | PINUSE);
    if (toVictim) {
      mem.setU32(sa + S_DV, 0);
      mem.setU32(sa + S_DV_SIZE, 0);
    }
    if (ts >= mem.u32(sa + S_TRIM_THRESHOLD)) trim(this);
    if (ts >= this.releaseThreshold) releasePages(this, c, mem.u32(sa + S_TOP_SIZE), freed, n);
  }

  // ------------------------------------------------------------------ realloc in place

  protected override resizeInPlace(ptr: number, size: number): number {
    return resizeInPlace(this, ptr, size);
  }

  // ------------------------------------------------------------------ lookup

  protected usable(ptr: number): number {
    this.validate(ptr, 'usableSize');
    return ((this.m.u32(ptr - 12) & ~15) >>> 0) - HEADER;
  }

  /** realloc's check of the old block: everything free checks (validate), named as realloc. */
  protected override validateRelease(ptr: number): number {
    this.validate(ptr, 'realloc');
    return ((this.m.u32(ptr - 12) & ~15) >>> 0) - HEADER;
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
    const mem = this.m;
    const sa = this.stateBase;
    const hbo = mem.u32(sa + S_HEAP_BASE);
    const hb = this.wb + hbo;
    const heapEnd = hbo === 0 ? 0 : this.wb + mem.u32(sa + S_TOP) + mem.u32(sa + S_TOP_SIZE);
    if (hbo !== 0 && addr >= hb && addr < heapEnd) {
      const c = this.starts.below(addr, hb);
      if (c < 0) return null;
      const h = mem.u32(c + 4);
      if (addr - c >= HEADER) return (h & (CINUSE | TCACHED)) === CINUSE ? { base: c + HEADER, size: ((h & ~15) >>> 0) - HEADER } : null;
      // In c's header: only the size-0 block of a 16-byte chunk right below ends here.
      if (addr !== c || c === hb) return null;
      const p = this.starts.below(c - 1, hb);
      if (p < 0 || p + HEADER !== c) return null;
      return (mem.u32(p + 4) & (CINUSE | TCACHED)) === CINUSE ? { base: c, size: 0 } : null;
    }
    if (this.space.ownerIndexAt(addr) !== this.ownerIndex || (addr >= this.stateBase && addr < this.stateEnd)) return null;
    const ps = this.space.pageSize;
    for (let m = Math.floor(addr / ps) * ps; m > 0 && m >= heapEnd; m -= ps) {
      if (this.space.ownerIndexAt(m) !== this.ownerIndex || (m >= this.stateBase && m < this.stateEnd)) return null;
      const c = mmappedChunkAt(this, m);
      if (c === 0) continue;
      const s = (mem.u32(c + 4) & ~15) >>> 0;
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
    const mem = this.m;
    const sa = this.stateBase;
    const hbo = mem.u32(sa + S_HEAP_BASE);
    const hb = this.wb + hbo;
    const top = this.wb + mem.u32(sa + S_TOP);
    if (hbo === 0 || addr < hb || addr >= top) return null;
    const c = this.starts.below(addr, hb);
    if (c < 0 || addr - c < HEADER) return null;
    const h = mem.u32(c + 4);
    const s = (h & ~15) >>> 0;
    if ((h & CINUSE) !== 0 && (h & TCACHED) === 0) return null;
    return addr < c + s ? { base: c + HEADER, size: s - HEADER } : null;
  }

  // ------------------------------------------------------------------ figures and check

  protected figures(): HeapFigures {
    const mem = this.m;
    const sa = this.stateBase;
    const live = this.nBlocks;
    const hb = mem.u32(sa + S_HEAP_BASE);
    const heapEnd = mem.u32(sa + S_TOP) + mem.u32(sa + S_TOP_SIZE);
    return {
      liveBlocks: live,
      liveBytes: this.nBytes,
      usableBytes: this.nUsable,
      // Headers, the state page, the chunk-start bitmap over the heap, and next fit's tree over it.
      metadataBytes: live * HEADER + STARTS_OFFSET + (hb === 0 ? 0 : Math.ceil((heapEnd - hb) / 128) + (this.policy === POLICY_NEXT ? Math.ceil((heapEnd - hb) / 256) : 0)),
      // All state is in the space but the ring of recently unmapped pointers (unmapHistory × 8 B)
      // and the five counters.
      externalBytes: this.recent.byteLength + 40,
    };
  }

  /** Figures of the mmapped chunks: how many and their mapped bytes. */
  mmapped(): { chunks: number; bytes: number } {
    return { chunks: this.nMapped, bytes: this.nMappedBytes };
  }

  check(): void {
    checkHeap(this);
  }
}

/** Makes a dlmalloc-style allocator over a space. */
export function createDlmallocAllocator(space: AddressSpace, options: Partial<DlmallocOptions> = {}): DlmallocAllocator {
  return new DlmallocAllocator(space, options);
}
