/*
 * DlmallocAllocator: Doug Lea's design over a heaplab address space (chunk layout in layout.ts).
 *
 * Where memory comes from:
 *   - the heap: one contiguous run of chunks from the heap base up to the break, grown with
 *     sbrk(…, identity) and ending in the top chunk (the wilderness); trimmed from the top only,
 *     when the free top reaches the trim threshold, keeping `topPad` bytes;
 *   - requests ≥ the mmap threshold get their own mapping, munmapped on free; the dynamic rule
 *     raises the threshold to the size of an mmapped chunk when it is freed (glibc's);
 *   - when sbrk fails (ENOMEM) or another owner moved the break, a request the heap cannot serve
 *     gets its own mapping too (glibc maps a new non-contiguous top; this keeps one heap run).
 *
 * malloc of a heap-sized request, per policy (bins.ts): best fit = exact small bin, then the
 * designated victim (remainder of the last small split) for small requests, then the smallest
 * fitting chunk in the bins (its remainder becomes the victim when the request is small, else
 * goes to a bin), then the top. First and next fit = the address-ordered search, then the top.
 * free coalesces at once with both neighbours (boundary tags), into the victim or the top when
 * adjacent, and bins the result.
 *
 * Invariants (checked by check.ts):
 *   Σ chunk sizes from heap base = top + topSize − heap base;  top + topSize = the break we set
 *   PINUSE(c) ⇔ CINUSE(prev(c)) for every heap chunk but the first (PINUSE set);
 *   no two adjacent chunks are free (victim and top included); top is last and its prev in use;
 *   free chunk: footer (next's prev_foot) = size; in exactly one bin, or is the victim or top;
 *   liveBlocks = |in-use chunks| + |mmapped chunks|; liveBytes = Σ requested (c+8 word).
 * Misuse is detected before any state changes (validate()).
 */

import {
  AllocatorBase, KernelError, MADV_DONTNEED, MAP_FIXED_NOREPLACE, PROT_READ, PROT_WRITE, alignUp, hex,
  type AddressSpace, type BlockInfo, type HeapFigures,
} from '@heaplab/core';
import type { DlmallocOptions } from './api.js';
import { Bins, ORDER_ADDRESS, ORDER_NONE, ORDER_SIZE } from './bins.js';
import { checkHeap } from './check.js';
import {
  CANARY, CINUSE, F, HEADER, MAGIC, MAX_HEAP_REQUEST, MIN_CHUNK, MMAPPED, MMAP_THRESHOLD_MAX, PINUSE,
  SMALL_LIMIT, STARTS_OFFSET, TCACHED, TCACHE_COUNTS, TCACHE_OFFSET, W, binIndex,
} from './layout.js';
import { POLICY_BEST, POLICY_NEXT, resolveOptions } from './options.js';
import { ChunkStarts } from './starts.js';

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
  private readonly topPad: number;
  private readonly releaseThreshold: number;
  /** @internal most chunks per tcache list (0: no tcache). */
  readonly tcacheMax: number;
  /** @internal u32 index of the tcache heads; counts are 64 words further. */
  readonly tw: number;
  /** @internal the canary of heap chunk c is (c ^ secret) >>> 0, in the next chunk's prev_foot. */
  readonly secret: number;
  private readonly recent: Float64Array;
  private recentAt = 0;

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
    const len = alignUp(STARTS_OFFSET + startsBytes, space.pageSize);
    this.stateBase = space.mmap(0, len, RW, 0, this.identity);
    this.stateEnd = this.stateBase + len;
    this.sw = this.stateBase >>> 2;
    this.tw = (this.stateBase + TCACHE_OFFSET) >>> 2;
    this.tcacheMax = this.policy === POLICY_BEST ? r.options.tcache : 0;
    this.secret = (Math.imul(this.stateBase, 0x9e3779b1) ^ CANARY) >>> 0;
    this.fw = this.stateBase / 8;
    this.u32 = space.u32;
    this.f64 = space.f64;
    this.bins = new Bins(this.u32, this.stateBase, this.policy === POLICY_BEST ? ORDER_SIZE : this.policy === POLICY_NEXT ? ORDER_NONE : ORDER_ADDRESS);
    this.starts = new ChunkStarts(this.u32, this.stateBase + STARTS_OFFSET, space.startBrk);
    const u32 = this.u32;
    u32[this.sw + W.mmapThreshold] = r.mmapThreshold;
    u32[this.sw + W.trimThreshold] = r.trimThreshold;
    u32[this.sw + W.dynamic] = r.dynamic ? 1 : 0;
    space.onRefresh((s) => {
      this.u32 = s.u32;
      this.f64 = s.f64;
      this.bins.u32 = s.u32;
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

  protected allocate(size: number, align: number): number {
    if (align > 16) return this.allocateAligned(size, align);
    if (size < this.u32[this.sw + W.mmapThreshold]! && size < MAX_HEAP_REQUEST) {
      const nb = (size + 31) & ~15;
      const policy = this.policy;
      let c = 0;
      if (nb < SMALL_LIMIT && this.tcacheMax !== 0) {
        // tcache: pop the last chunk of this size freed (still marked in use).
        const u32 = this.u32;
        const ti = this.tw + (nb >>> 4);
        c = u32[ti]!;
        if (c !== 0) {
          u32[ti] = u32[(c + 8) >>> 2]!;
          u32[ti + 64]!--;
          u32[(c + 4) >>> 2]! &= ~TCACHED;
        }
      }
      if (c === 0) c = policy === POLICY_BEST ? this.takeBest(nb) : policy === POLICY_NEXT ? this.takeNext(nb) : this.takeFirst(nb);
      if (c === 0) c = this.takeTop(nb);
      if (c !== 0) {
        const u32 = this.u32;
        u32[(c + 8) >>> 2] = size;
        const s = (u32[(c + 4) >>> 2]! & ~15) >>> 0;
        u32[(c + s) >>> 2] = (c ^ this.secret) >>> 0;
        const f64 = this.f64;
        const fw = this.fw;
        f64[fw + F.liveBlocks]!++;
        f64[fw + F.liveBytes]! += size;
        f64[fw + F.usableBytes]! += s - HEADER;
        return c + HEADER;
      }
    }
    return this.mmapChunk(size, 16);
  }

  protected override allocateZeroed(size: number): number {
    const p = this.allocate(size, 16);
    if (p !== 0 && size > 0 && !(this.u32[(p - 12) >>> 2]! & MMAPPED)) this.space.u8.fill(0, p, p + size);
    return p;
  }

  /** Marks free chunk c of size s (already out of its bin) in use, whole. */
  private markUsed(c: number, s: number): void {
    const u32 = this.u32;
    u32[(c + 4) >>> 2] = s | PINUSE | CINUSE;
    u32[(c + s + 4) >>> 2]! |= PINUSE;
  }

  /** Splits free chunk c of size s: [c, c+nb) in use, the rest a free chunk r (returned, not binned). */
  private split(c: number, s: number, nb: number): number {
    const u32 = this.u32;
    const r = c + nb;
    const rs = s - nb;
    u32[(r + 4) >>> 2] = rs | PINUSE;
    u32[(r + rs) >>> 2] = rs;
    this.starts.set(r);
    u32[(c + 4) >>> 2] = nb | PINUSE | CINUSE;
    return r;
  }

  /** Best fit: an in-use chunk of ≥ nb bytes from the bins or the victim, or 0. */
  private takeBest(nb: number): number {
    const u32 = this.u32;
    const sw = this.sw;
    const bins = this.bins;
    const dvs = u32[sw + W.dvSize]!;
    if (nb < SMALL_LIMIT) {
      const f = bins.bin(nb >>> 4);
      let c = u32[(f + 8) >>> 2]!;
      if (c !== f) {
        bins.unlink(c, nb);
        this.markUsed(c, nb);
        return c;
      }
      if (dvs >= nb) return this.carveVictim(nb, dvs);
      const j = bins.nextNonEmpty((nb >>> 4) + 1);
      if (j < 0) return 0;
      c = u32[(bins.bin(j) + 8) >>> 2]!;
      const s = (u32[(c + 4) >>> 2]! & ~15) >>> 0;
      bins.unlink(c, s);
      if (s === nb) {
        this.markUsed(c, s);
        return c;
      }
      if (dvs !== 0) bins.insert(u32[sw + W.dv]!, dvs);
      u32[sw + W.dv] = this.split(c, s, nb);
      u32[sw + W.dvSize] = s - nb;
      return c;
    }
    const c = bins.bestFit(nb);
    const s = c === 0 ? 0 : (u32[(c + 4) >>> 2]! & ~15) >>> 0;
    if (dvs >= nb && (c === 0 || dvs <= s)) return this.carveVictim(nb, dvs);
    if (c === 0) return 0;
    bins.unlink(c, s);
    if (s === nb) this.markUsed(c, s);
    else {
      const r = this.split(c, s, nb);
      bins.insert(r, s - nb);
    }
    return c;
  }

  /** Serves nb bytes from the designated victim (dvs ≥ nb); its remainder stays the victim. */
  private carveVictim(nb: number, dvs: number): number {
    const u32 = this.u32;
    const sw = this.sw;
    const dv = u32[sw + W.dv]!;
    if (dvs === nb) {
      u32[sw + W.dv] = 0;
      u32[sw + W.dvSize] = 0;
      this.markUsed(dv, dvs);
    } else {
      u32[sw + W.dv] = this.split(dv, dvs, nb);
      u32[sw + W.dvSize] = dvs - nb;
    }
    return dv;
  }

  /** First fit: the lowest-addressed free chunk that fits (bins.ts), or 0. */
  private takeFirst(nb: number): number {
    const c = this.bins.firstFit(nb);
    return c === 0 ? 0 : this.takeFree(c, nb);
  }

  /**
   * Next fit: walks the heap's chunks (boundary tags) from the rover — the end of the last chunk
   * handed out — to the first free chunk that fits, wrapping from the top to the heap base. The
   * bins first tell whether any free chunk fits at all, so the walk always ends at one.
   * Cost: the chunks between the rover and that chunk (free ones are common, so small requests
   * stop within a few chunks; a large request may cross much of the heap).
   */
  private takeNext(nb: number): number {
    if (!this.bins.anyFit(nb)) return 0;
    const u32 = this.u32;
    const sw = this.sw;
    const hb = u32[sw + W.heapBase]!;
    const top = u32[sw + W.top]!;
    let c = u32[sw + W.rover]!;
    if (c < hb || c >= top) c = hb;
    else if (!this.starts.has(c)) c = this.starts.below(c, hb); // merged since: the chunk holding it
    for (;;) {
      const h = u32[(c + 4) >>> 2]!;
      const s = (h & ~15) >>> 0;
      if (!(h & CINUSE) && s >= nb) return this.takeFree(c, nb);
      c += s;
      if (c >= top) c = hb;
    }
  }

  /** Takes free chunk c (in a bin, size ≥ nb) for nb bytes; the remainder goes back to a bin. */
  private takeFree(c: number, nb: number): number {
    const u32 = this.u32;
    const s = (u32[(c + 4) >>> 2]! & ~15) >>> 0;
    if (s === nb) {
      this.bins.unlink(c, s);
      this.markUsed(c, s);
    } else if (binIndex(s - nb) === binIndex(s)) {
      this.bins.replace(c, this.split(c, s, nb)); // the remainder takes c's place: order kept
    } else {
      this.bins.unlink(c, s);
      this.bins.insert(this.split(c, s, nb), s - nb);
    }
    if (this.policy === POLICY_NEXT) u32[this.sw + W.rover] = c + nb;
    return c;
  }

  /** Carves nb bytes from the top, growing the heap when the top is too small; 0 when it cannot. */
  private takeTop(nb: number): number {
    let u32 = this.u32;
    const sw = this.sw;
    let ts = u32[sw + W.topSize]!;
    if (ts < nb + MIN_CHUNK) {
      if (!this.growTop(nb)) return 0;
      u32 = this.u32; // a syscall may have remade the views (wasm memory)
      ts = u32[sw + W.topSize]!;
    }
    const c = u32[sw + W.top]!;
    const nt = c + nb;
    u32[(nt + 4) >>> 2] = (ts - nb) | PINUSE;
    this.starts.set(nt);
    u32[sw + W.top] = nt;
    u32[sw + W.topSize] = ts - nb;
    u32[(c + 4) >>> 2] = nb | PINUSE | CINUSE;
    if (this.policy === POLICY_NEXT) u32[sw + W.rover] = nt;
    return c;
  }

  /**
   * Moves the break up so the top holds nb + MIN_CHUNK bytes, asking `topPad` more when it can.
   * False when the heap cannot grow: ENOMEM, or another owner moved the break since our last sbrk.
   */
  private growTop(nb: number): boolean {
    const space = this.space;
    let u32 = this.u32;
    const sw = this.sw;
    const ps = space.pageSize;
    const top = u32[sw + W.top]!;
    const brk = space.currentBrk;
    let start = top;
    if (top === 0) start = alignUp(brk, 16);
    else if (brk !== top + u32[sw + W.topSize]!) return false;
    const minEnd = start + nb + MIN_CHUNK;
    for (let attempt = 0; attempt < 2; attempt++) {
      const end = alignUp(attempt === 0 ? minEnd + this.topPad : minEnd, ps);
      if (end > space.size) continue;
      try {
        space.sbrk(end - brk, this.identity);
      } catch (e) {
        if (e instanceof KernelError && e.code === 'ENOMEM') continue;
        throw e;
      }
      u32 = this.u32;
      if (top === 0) {
        u32[sw + W.heapBase] = start;
        u32[sw + W.top] = start;
        this.starts.set(start);
      }
      const ts = end - start;
      u32[sw + W.topSize] = ts;
      u32[(start + 4) >>> 2] = ts | PINUSE;
      return true;
    }
    return false;
  }

  /** Gives the top's pages back above `topPad` + one chunk, when we still own the break. */
  private trim(): void {
    const space = this.space;
    const u32 = this.u32;
    const sw = this.sw;
    const top = u32[sw + W.top]!;
    const ts = u32[sw + W.topSize]!;
    if (space.currentBrk !== top + ts) return;
    const ps = space.pageSize;
    const extra = Math.floor((ts - this.topPad - MIN_CHUNK) / ps) * ps;
    if (extra <= 0) return;
    space.sbrk(-extra, this.identity);
    this.u32[sw + W.topSize] = ts - extra;
    this.u32[(top + 4) >>> 2] = (ts - extra) | PINUSE;
  }

  /** memalign: a heap chunk with room to slide to the boundary, lead and tail freed; or a mapping. */
  private allocateAligned(size: number, align: number): number {
    if (size >= MAX_HEAP_REQUEST || size + align >= this.u32[this.sw + W.mmapThreshold]!) return this.mmapChunk(size, align);
    const nb = (size + 31) & ~15;
    const want = nb + align - HEADER;
    const policy = this.policy;
    let c = policy === POLICY_BEST ? this.takeBest(want) : policy === POLICY_NEXT ? this.takeNext(want) : this.takeFirst(want);
    if (c === 0) c = this.takeTop(want);
    if (c === 0) return this.mmapChunk(size, align);
    let u32 = this.u32;
    let s = (u32[(c + 4) >>> 2]! & ~15) >>> 0;
    const nc = alignUp(c + HEADER, align) - HEADER;
    if (nc !== c) {
      const lead = nc - c;
      s -= lead;
      u32[(nc + 4) >>> 2] = s | PINUSE | CINUSE;
      this.starts.set(nc);
      u32[(c + 4) >>> 2] = lead | (u32[(c + 4) >>> 2]! & PINUSE) | CINUSE;
      this.freeChunk(c, lead);
      u32 = this.u32;
      c = nc;
    }
    if (s - nb >= MIN_CHUNK) {
      const t = c + nb;
      u32[(t + 4) >>> 2] = (s - nb) | PINUSE | CINUSE;
      this.starts.set(t);
      u32[(c + 4) >>> 2] = nb | (u32[(c + 4) >>> 2]! & PINUSE) | CINUSE;
      this.freeChunk(t, s - nb);
      u32 = this.u32;
      s = nb;
    }
    u32[(c + 8) >>> 2] = size;
    u32[(c + s) >>> 2] = (c ^ this.secret) >>> 0;
    this.account(1, size, s - HEADER);
    return c + HEADER;
  }

  private account(blocks: number, bytes: number, usable: number): void {
    const f64 = this.f64;
    const fw = this.fw;
    f64[fw + F.liveBlocks]! += blocks;
    f64[fw + F.liveBytes]! += bytes;
    f64[fw + F.usableBytes]! += usable;
  }

  // ------------------------------------------------------------------ mmapped chunks

  private map(len: number): number {
    try {
      return this.space.mmap(0, len, RW, 0, this.identity);
    } catch (e) {
      if (e instanceof KernelError && e.code === 'ENOMEM') return 0;
      throw e;
    }
  }

  /** A chunk in its own mapping, aligned to `align`; slack pages before and after are unmapped. */
  private mmapChunk(size: number, align: number): number {
    const space = this.space;
    const ps = space.pageSize;
    const span = size + HEADER + (align > 16 ? align : 0);
    if (span > space.size) return 0;
    const len = alignUp(span, ps);
    const m0 = this.map(len);
    if (m0 === 0) return 0;
    const c = alignUp(m0 + HEADER, align) - HEADER;
    const lead = Math.floor((c - m0) / ps) * ps;
    if (lead > 0) space.munmap(m0, lead);
    const m = m0 + lead;
    const pad = c - m;
    const end = alignUp(c + HEADER + size, ps);
    if (end < m0 + len) space.munmap(end, m0 + len - end);
    const s = end - c;
    const u32 = this.u32;
    if (pad !== 0) u32[m >>> 2] = pad;
    u32[(c + 4) >>> 2] = s | PINUSE | CINUSE | MMAPPED;
    u32[(c + 8) >>> 2] = size;
    u32[(c + 12) >>> 2] = (c ^ MAGIC) >>> 0;
    this.account(1, size, s - HEADER);
    this.f64[this.fw + F.mmappedChunks]!++;
    this.f64[this.fw + F.mmappedBytes]! += end - m;
    return c + HEADER;
  }

  /** @internal True when c holds a well-formed mmapped chunk header of ours. */
  isMmappedChunk(c: number): boolean {
    const u32 = this.u32;
    const space = this.space;
    const ps = space.pageSize;
    const h = u32[(c + 4) >>> 2]!;
    if ((h & (MMAPPED | CINUSE)) !== (MMAPPED | CINUSE)) return false;
    if (u32[(c + 12) >>> 2] !== ((c ^ MAGIC) >>> 0)) return false;
    const pad = c % ps;
    const m = c - pad;
    if (pad !== 0 && u32[m >>> 2] !== pad) return false;
    const total = pad + ((h & ~15) >>> 0);
    if (total % ps !== 0 || m + total > space.size) return false;
    return space.ownerIndexAt(m) === this.ownerIndex && space.ownerIndexAt(m + total - 1) === this.ownerIndex && space.accessible(m, total, RW);
  }

  /** @internal The mmapped chunk whose mapping starts at page m (c = m, or m + pad for memalign), or 0. */
  mmappedChunkAt(m: number): number {
    if (this.isMmappedChunk(m)) return m;
    const pad = this.u32[m >>> 2]!;
    return pad > 0 && pad < this.space.pageSize && pad % 16 === 0 && this.isMmappedChunk(m + pad) ? m + pad : 0;
  }

  private unmapChunk(c: number): void {
    let u32 = this.u32;
    const s = (u32[(c + 4) >>> 2]! & ~15) >>> 0;
    const pad = c % this.space.pageSize;
    this.account(-1, -u32[(c + 8) >>> 2]!, -(s - HEADER));
    this.f64[this.fw + F.mmappedChunks]!--;
    this.f64[this.fw + F.mmappedBytes]! -= pad + s;
    this.space.munmap(c - pad, pad + s);
    if (this.recent.length > 0) {
      this.recent[this.recentAt] = c + HEADER;
      this.recentAt = (this.recentAt + 1) % this.recent.length;
    }
    const sw = this.sw;
    u32 = this.u32;
    if (u32[sw + W.dynamic] && s > u32[sw + W.mmapThreshold]! && s <= MMAP_THRESHOLD_MAX) {
      u32[sw + W.mmapThreshold] = s;
      u32[sw + W.trimThreshold] = 2 * s;
    }
  }

  private resizeMapped(c: number, size: number): number {
    const space = this.space;
    let u32 = this.u32;
    const ps = space.pageSize;
    const pad = c % ps;
    const m = c - pad;
    const s = (u32[(c + 4) >>> 2]! & ~15) >>> 0;
    const cur = pad + s;
    const need = alignUp(pad + HEADER + size, ps);
    if (need < cur) space.munmap(m + need, cur - need);
    else if (need > cur) {
      if (m + need > space.size) return 0;
      try {
        space.mmap(m + cur, need - cur, RW, MAP_FIXED_NOREPLACE, this.identity);
      } catch (e) {
        if (e instanceof KernelError) return 0;
        throw e;
      }
    }
    const ns = need - pad;
    u32 = this.u32;
    u32[(c + 4) >>> 2] = ns | PINUSE | CINUSE | MMAPPED;
    this.account(0, size - u32[(c + 8) >>> 2]!, ns - s);
    this.f64[this.fw + F.mmappedBytes]! += need - cur;
    u32[(c + 8) >>> 2] = size;
    return c + HEADER;
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
      if (this.space.ownerIndexAt(c) === this.ownerIndex && !(c >= this.stateBase && c < this.stateEnd) && this.isMmappedChunk(c)) return KIND_MMAPPED;
    }
    if (this.recent.includes(ptr)) this.misuse('double-free', `${what}(${hex(ptr)}): this mmapped block was already unmapped`, ptr);
    this.misuse('invalid-free', `${what}(${hex(ptr)}): not a block of this allocator`, ptr);
  }

  protected release(ptr: number, size: number | undefined): void {
    const kind = this.validate(ptr, 'free');
    const u32 = this.u32;
    const c = ptr - HEADER;
    const req = u32[(c + 8) >>> 2]!;
    if (size !== undefined && size !== req) this.misuse('size-mismatch', `free_sized(${hex(ptr)}, ${size}) of a block of ${req} bytes`, ptr);
    if (kind === KIND_MMAPPED) {
      this.unmapChunk(c);
      return;
    }
    const h = u32[(c + 4) >>> 2]!;
    const s = (h & ~15) >>> 0;
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
        u32[(c + 8) >>> 2] = u32[ti]!;
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
   */
  private freeChunk(c: number, s: number): void {
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
      if (ts >= u32[sw + W.trimThreshold]!) this.trim();
      if (ts >= this.releaseThreshold) this.releasePages(c, u32[sw + W.topSize]!, freed, n);
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
    if (s >= this.releaseThreshold) this.releasePages(c, s, freed, n);
  }

  /**
   * Gives back (madvise DONTNEED) the whole pages of free chunk [c, c+s) that overlap the chunk
   * just freed [from, to) — the only pages this free can have made both free and dirty — keeping
   * the chunk's first 32 bytes (head, fd, bk) and its footer. A page shared with a live chunk is
   * not whole inside [c, c+s), so it waits until its last chunk is freed.
   */
  private releasePages(c: number, s: number, from: number, to: number): void {
    const ps = this.space.pageSize;
    const lo = Math.max(alignUp(c + 32, ps), Math.floor(from / ps) * ps);
    const hi = Math.min(Math.floor((c + s) / ps) * ps, alignUp(to, ps));
    if (hi > lo) this.space.madvise(lo, hi - lo, MADV_DONTNEED);
  }

  // ------------------------------------------------------------------ realloc in place

  protected override resizeInPlace(ptr: number, size: number): number {
    let u32 = this.u32;
    const sw = this.sw;
    const c = ptr - HEADER;
    const h = u32[(c + 4) >>> 2]!;
    if (h & MMAPPED) return this.resizeMapped(c, size);
    if (size >= MAX_HEAP_REQUEST) return 0;
    const nb = (size + 31) & ~15;
    const s = (h & ~15) >>> 0;
    const req = u32[(c + 8) >>> 2]!;
    let ns = s;
    if (s < nb) {
      const n = c + s;
      if (n === u32[sw + W.top]!) {
        // Grow into the top, moving the break up first when the top is too small.
        if (s + u32[sw + W.topSize]! < nb + MIN_CHUNK && !this.growTop(nb - s)) return 0;
        u32 = this.u32;
        const nts = s + u32[sw + W.topSize]! - nb;
        const nt = c + nb;
        this.starts.clear(n);
        this.starts.set(nt);
        u32[sw + W.top] = nt;
        u32[sw + W.topSize] = nts;
        u32[(nt + 4) >>> 2] = nts | PINUSE;
        u32[(c + 4) >>> 2] = nb | (h & PINUSE) | CINUSE;
        ns = nb;
      } else {
        const nh = u32[(n + 4) >>> 2]!;
        const nsz = (nh & ~15) >>> 0;
        if (nh & CINUSE || s + nsz < nb) return 0;
        if (n === u32[sw + W.dv]!) {
          u32[sw + W.dv] = 0;
          u32[sw + W.dvSize] = 0;
        } else {
          this.bins.unlink(n, nsz);
        }
        this.starts.clear(n);
        ns = s + nsz;
        u32[(c + 4) >>> 2] = ns | (h & PINUSE) | CINUSE;
        u32[(c + ns + 4) >>> 2]! |= PINUSE;
      }
    }
    if (ns - nb >= MIN_CHUNK) {
      // Shrink: the tail becomes a free chunk (merged with a free or top neighbour).
      const t = c + nb;
      u32[(t + 4) >>> 2] = (ns - nb) | PINUSE | CINUSE;
      this.starts.set(t);
      u32[(c + 4) >>> 2] = nb | (h & PINUSE) | CINUSE;
      this.freeChunk(t, ns - nb);
      u32 = this.u32;
      ns = nb;
    }
    u32[(c + 8) >>> 2] = size;
    u32[(c + ns) >>> 2] = (c ^ this.secret) >>> 0;
    this.account(0, size - req, ns - s);
    return ptr;
  }

  // ------------------------------------------------------------------ lookup

  protected usable(ptr: number): number {
    this.validate(ptr, 'usableSize');
    return ((this.u32[(ptr - 12) >>> 2]! & ~15) >>> 0) - HEADER;
  }

  /**
   * The live block holding addr. Heap: the chunk-start bitmap is scanned down from addr (starts.ts:
   * one word read per 512 bytes between addr and its chunk's start). Mmapped: pages are walked
   * down from addr to the page where its mapping starts (one header test per page).
   */
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
      const c = this.mmappedChunkAt(m);
      if (c === 0) continue;
      const s = (u32[(c + 4) >>> 2]! & ~15) >>> 0;
      return addr >= c + HEADER && addr < c + s ? { base: c + HEADER, size: s - HEADER } : null;
    }
    return null;
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
      metadataBytes: live * HEADER + STARTS_OFFSET + (hb === 0 ? 0 : Math.ceil((heapEnd - hb) / 128)),
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
