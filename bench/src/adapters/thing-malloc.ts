/*
 * @thi.ng/malloc as a heaplab Allocator: the JS library users pick today, measured on
 * the same operations as ours. Its MemPool manages one region of a buffer; the adapter maps that
 * region in the space (one mapping owned by the adapter's identity) and hands MemPool the space's
 * own buffer with `start`/`end` at the mapping, so every byte it writes is in the space and the
 * replay's residency, maps and heap map see it.
 *
 * Layout of the region (MemPool's, read here through the space's views for check/blockAt):
 *
 *   region                  initial top                                      region + poolBytes
 *   | state: free used top end align flags minSplit (7 × u32) | blocks … | top … unused … |
 *   block:  | size u32 | next u32 | data … |   size = align(request + 8, 16) (header included)
 *
 *   The used list (`used`) and the free list (`free`, sorted by address, coalesced) are linked by
 *   `next`; blocks lie in [initial top, top). data = block + 8 is 16-aligned.
 *
 * Costs, as the library has them: malloc is first fit over the free list; free walks the used
 * list to find the block (O(live blocks)), inserts into the sorted free list and compacts it —
 * about 20 µs per event with 10,000 live blocks, so comparisons give it a shorter
 * steady-state window and report per event (compare.ts).
 *
 * What the adapter adds, none of it on MemPool's own paths: memalign above 16 over-allocates and
 * keeps aligned → raw in a Map; requested sizes in a Map (for stats and sized free); misuse is
 * reported from MemPool's own answer — free() returning false (not in the used list) is a
 * double free when the block is on the free list, an invalid free otherwise. MemPool checks
 * nothing else: overflows, writes after free and sized-free mismatches beyond the usable size
 * go unseen (the misuse matrix shows which).
 *
 * MemPool indexes with `block >> 2` (signed), so the region must end below 2^31: it is mapped at a
 * hint above the program break, and the constructor fails clearly when it could not be placed so.
 *
 * Commit on demand: the region is reserved PROT_NONE and made writable in COMMIT_STEP steps as
 * MemPool's `top` grows past what is committed (checked after each allocation: one word read),
 * as a program break grows — so mapped, committed and the space's residency scans cost what
 * MemPool uses, not the whole region. Invariant: top ≤ committedEnd ≤ region + poolBytes.
 */

import { MemPool } from '@thi.ng/malloc';
import {
  AllocatorBase, HeapCorruption, MIN_ALIGN, PROT_NONE, PROT_READ, PROT_WRITE, alignUp, defineAllocator, hex,
  type AddressSpace, type BlockInfo, type HeapFigures,
} from '@heaplab/core';

/** Options of the adapter (MemPool's own, and the size of its region). */
export interface ThingMallocOptions {
  /** Bytes of the region MemPool manages (rounded up to pages; capped by what fits below 2 GiB and in the space). Default 512 MiB. */
  poolBytes: number;
  /** MemPool `compact`: merge adjacent free blocks. Default true. */
  compact: boolean;
  /** MemPool `split`: split larger free blocks on reuse. Default true. */
  split: boolean;
  /** MemPool `minSplit`: least excess bytes worth a split (> 8). Default 16. */
  minSplit: number;
}

export const THING_MALLOC_DEFAULTS: Readonly<ThingMallocOptions> = Object.freeze({ poolBytes: 512 * 2 ** 20, compact: true, split: true, minSplit: 16 });

const HEADER = 8;
const STATE_FREE = 0;
const STATE_USED = 1;
const STATE_TOP = 2;
const STATE_END = 3;
const STATE_BYTES = 28;
const LIMIT = 2 ** 31;
/** Bytes made writable at a time as MemPool's top grows. */
const COMMIT_STEP = 2 ** 20;
/** Space left between the program break and the region, for brk users beside it (at most an eighth of the space). */
const BRK_GAP = 16 * 2 ** 20;

/** Bytes an entry of a number-to-number Map costs in V8, about (see figures()). */
const MAP_ENTRY_BYTES = 32;

export class ThingMallocAllocator extends AllocatorBase {
  readonly options: Readonly<ThingMallocOptions>;
  /** The mapping MemPool manages: [region, region + poolBytes). */
  readonly region: number;
  readonly poolBytes: number;
  private readonly pool: MemPool;
  private readonly requested = new Map<number, number>();
  private readonly alignedToRaw = new Map<number, number>();
  private liveBytes = 0;
  private usableBytes = 0;
  /** End of the writable part of the region. */
  private committedEnd: number;

  constructor(space: AddressSpace, options: Partial<ThingMallocOptions> = {}) {
    const o = { ...THING_MALLOC_DEFAULTS, ...options };
    if (!Number.isInteger(o.poolBytes) || o.poolBytes < 65536) throw new TypeError(`thing-malloc: option poolBytes must be an integer ≥ 65536, got ${String(o.poolBytes)}`);
    for (const k of ['compact', 'split'] as const) if (typeof o[k] !== 'boolean') throw new TypeError(`thing-malloc: option ${k} must be a boolean, got ${String(o[k])}`);
    if (!Number.isInteger(o.minSplit) || o.minSplit <= 8) throw new TypeError(`thing-malloc: option minSplit must be an integer > 8, got ${String(o.minSplit)}`);
    super(space, {
      name: 'thing-malloc',
      family: 'first-fit-list',
      parameters: { ...o },
      description: '@thi.ng/malloc MemPool over one mapping: first fit, address-ordered free list, O(live blocks) free',
    });
    this.options = Object.freeze(o);
    const ps = space.pageSize;
    const hint = alignUp(space.currentBrk + Math.min(BRK_GAP, space.size / 8), ps);
    if (space.raw.kind !== 'flat') throw new RangeError(`thing-malloc: MemPool indexes the space's buffer by address, so it needs a flat space of at most 4 GiB; space size ${space.size}`);
    const room = Math.floor((Math.min(space.size, LIMIT) - hint) / ps) * ps;
    const bytes = Math.min(alignUp(o.poolBytes, ps), room);
    if (bytes < 65536) throw new RangeError(`thing-malloc: the space has no room for a pool below 2 GiB (MemPool indexes with signed shifts); space size ${space.size}`);
    const at = space.mmap(hint, bytes, PROT_NONE, 0, this.identity);
    if (at + bytes > LIMIT) {
      space.munmap(at, bytes);
      throw new RangeError(`thing-malloc: the pool could not be mapped below 2 GiB (got ${hex(at)}); MemPool indexes with signed shifts`);
    }
    this.region = at;
    this.poolBytes = bytes;
    // MemPool writes its state and may put top anywhere up to `end`: commit ahead of its first writes.
    this.committedEnd = at;
    this.commitTo(at + STATE_BYTES + HEADER);
    this.pool = new MemPool({ buf: space.u8.buffer, start: at, end: at + bytes, align: MIN_ALIGN, compact: o.compact, split: o.split, minSplit: o.minSplit });
    space.onRefresh((s) => {
      // A wasm memory that grew has a new buffer: MemPool's views follow it.
      const p = this.pool as unknown as { buf: ArrayBufferLike; u8: Uint8Array; u32: Uint32Array; state: Uint32Array };
      p.buf = s.u8.buffer;
      p.u8 = new Uint8Array(p.buf);
      p.u32 = new Uint32Array(p.buf);
      p.state = new Uint32Array(p.buf, this.region, STATE_BYTES / 4);
    });
  }

  /** Makes the region writable up to `addr` (rounded up to COMMIT_STEP, capped at its end). */
  private commitTo(addr: number): void {
    if (addr <= this.committedEnd) return;
    const end = Math.min(this.region + this.poolBytes, alignUp(addr - this.region, COMMIT_STEP) + this.region);
    this.space.mprotect(this.committedEnd, end - this.committedEnd, PROT_READ | PROT_WRITE);
    this.committedEnd = end;
  }

  private stateWord(i: number): number {
    return this.space.raw.u32(this.region + 4 * i);
  }

  private blockSize(block: number): number {
    return this.space.raw.u32(block);
  }

  private blockNext(block: number): number {
    return this.space.raw.u32(block + 4);
  }

  /** The block of a data address on a list (used or free), or 0. O(list). */
  private onList(head: number, block: number): boolean {
    for (let b = this.stateWord(head), n = 0; b !== 0 && n <= this.poolBytes / 16; b = this.blockNext(b), n++) if (b === block) return true;
    return false;
  }

  // ---------------------------------------------------------------- primitives

  protected allocate(size: number, align: number): number {
    const n = Math.max(1, size);
    if (align <= MIN_ALIGN) {
      const p = this.pool.malloc(n);
      if (p !== 0) {
        this.commitTo(this.stateWord(STATE_TOP));
        this.track(p, p, size);
      }
      return p;
    }
    const raw = this.pool.malloc(n + align);
    if (raw === 0) return 0;
    this.commitTo(this.stateWord(STATE_TOP));
    const p = alignUp(raw, align);
    if (p !== raw) this.alignedToRaw.set(p, raw);
    this.track(p, raw, size);
    return p;
  }

  private track(p: number, raw: number, size: number): void {
    this.requested.set(p, size);
    this.liveBytes += size;
    this.usableBytes += this.blockSize(raw - HEADER) - HEADER - (p - raw);
  }

  protected release(ptr: number, size: number | undefined): void {
    const raw = this.alignedToRaw.get(ptr) ?? ptr;
    if (size !== undefined) {
      const u = this.usable(ptr);
      if (size > u) this.misuse('size-mismatch', `free_sized(${hex(ptr)}, ${size}): the block holds ${u} bytes`, ptr);
    }
    const usable = raw >= this.region && raw < this.region + this.poolBytes ? this.blockSize(raw - HEADER) - HEADER - (ptr - raw) : 0;
    if (!this.pool.free(raw)) {
      if (this.onList(STATE_FREE, raw - HEADER)) this.misuse('double-free', `free(${hex(ptr)}): the block is already on MemPool's free list`, ptr);
      this.misuse('invalid-free', `free(${hex(ptr)}): MemPool has no used block there`, ptr);
    }
    if (raw !== ptr) this.alignedToRaw.delete(ptr);
    this.liveBytes -= this.requested.get(ptr) ?? 0;
    this.usableBytes -= usable;
    this.requested.delete(ptr);
  }

  protected usable(ptr: number): number {
    const raw = this.alignedToRaw.get(ptr) ?? ptr;
    if (!this.onList(STATE_USED, raw - HEADER)) this.misuse('invalid-free', `${hex(ptr)} is not a block MemPool handed out`, ptr);
    return this.blockSize(raw - HEADER) - HEADER - (ptr - raw);
  }

  blockAt(addr: number): BlockInfo | null {
    for (let b = this.stateWord(STATE_USED), n = 0; b !== 0 && n <= this.poolBytes / 16; b = this.blockNext(b), n++) {
      const end = b + this.blockSize(b);
      if (addr >= b + HEADER && addr < end) {
        for (const [p, raw] of this.alignedToRaw) if (raw === b + HEADER) return addr >= p ? { base: p, size: end - p } : null;
        return { base: b + HEADER, size: end - b - HEADER };
      }
    }
    return null;
  }

  protected figures(): HeapFigures {
    // The two Maps live outside the space: V8's ordered hash table holds a key, a value and a
    // chain link per entry (8 bytes each) plus half a bucket word, about 32 bytes an entry.
    const externalBytes = MAP_ENTRY_BYTES * (this.requested.size + this.alignedToRaw.size);
    return { liveBlocks: this.requested.size, liveBytes: this.liveBytes, usableBytes: this.usableBytes, metadataBytes: STATE_BYTES + HEADER * this.requested.size, externalBytes };
  }

  /** Walks both lists: blocks inside [initial top, top), 16-aligned data, sizes multiples of 16, no overlap, free list sorted; the used list matches the blocks handed out. */
  check(): void {
    const label = this.identity.label;
    const top = this.stateWord(STATE_TOP);
    const end = this.stateWord(STATE_END);
    const first = alignUp(this.region + STATE_BYTES + HEADER, MIN_ALIGN) - HEADER;
    if (end !== this.region + this.poolBytes) throw new HeapCorruption(label, `pool end ${hex(end)} is not the region's end ${hex(this.region + this.poolBytes)}`);
    if (top < first || top > end) throw new HeapCorruption(label, `top ${hex(top)} outside [${hex(first)}, ${hex(end)}]`);
    const spans: [number, number, string][] = [];
    const walk = (head: number, what: string): number => {
      let n = 0;
      let prev = 0;
      for (let b = this.stateWord(head); b !== 0; b = this.blockNext(b)) {
        if (++n > this.poolBytes / 16) throw new HeapCorruption(label, `${what} list has a cycle`);
        const s = this.blockSize(b);
        if (b < first || b + s > top) throw new HeapCorruption(label, `${what} block ${hex(b)} (+${s}) outside [${hex(first)}, ${hex(top)})`);
        if (s < 16 || s % MIN_ALIGN !== 0 || (b + HEADER) % MIN_ALIGN !== 0) throw new HeapCorruption(label, `${what} block ${hex(b)} has size ${s} or misaligned data`);
        if (what === 'free' && b <= prev) throw new HeapCorruption(label, `free list not sorted at ${hex(b)}`);
        prev = b;
        spans.push([b, b + s, what]);
      }
      return n;
    };
    const used = walk(STATE_USED, 'used');
    walk(STATE_FREE, 'free');
    spans.sort((a, b) => a[0] - b[0]);
    for (let i = 1; i < spans.length; i++) {
      if (spans[i]![0] < spans[i - 1]![1]) throw new HeapCorruption(label, `${spans[i]![2]} block ${hex(spans[i]![0])} overlaps ${spans[i - 1]![2]} block ${hex(spans[i - 1]![0])}`);
    }
    if (used !== this.requested.size) throw new HeapCorruption(label, `used list has ${used} blocks, ${this.requested.size} were handed out`);
  }
}

/** Makes the adapter over a space. */
export function createThingMallocAllocator(space: AddressSpace, options: Partial<ThingMallocOptions> = {}): ThingMallocAllocator {
  return new ThingMallocAllocator(space, options);
}

/** The adapter as a registry strategy (name `thing-malloc`). */
export const thingMallocStrategy = defineAllocator<ThingMallocOptions>({
  name: 'thing-malloc',
  family: 'first-fit-list',
  description: '@thi.ng/malloc MemPool over one mapping: first fit, address-ordered free list, O(live blocks) free',
  defaults: THING_MALLOC_DEFAULTS,
  create: (space, parameters) => createThingMallocAllocator(space, parameters),
});
