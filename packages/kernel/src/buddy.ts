/*
 * buddy: malloc as alloc_pages. Every request is served by one block of 2^order page frames,
 * the smallest order whose block holds max(size, alignment) bytes (1 byte for malloc(0)); free
 * gives the block back with __free_pages, which merges it with its free buddies. The internal
 * fragmentation is what the buddy system has: a 4097-byte request takes 8 KiB, a 129 KiB one
 * 256 KiB.
 *
 * Layout: the block is the frames' direct-map pages (frame-source.ts); the pointer is the
 * address of its first frame, so every pointer is page-aligned and an order-k block is aligned
 * to 2^k pages. Nothing is written in the block. Per frame, outside the space (as the kernel's
 * struct page): `mark[pfn]` 1 when pfn heads a live block, 2 when it headed a block since freed
 * (a later free of it is a double free), 0 otherwise; `order[pfn]` the order of the block it
 * heads or headed; `requested[pfn]` the requested size of a live block.
 *
 * Invariants: a live block's head has mark 1 and the frame allocator holds it allocated with
 * order[pfn]; liveBlocks/liveBytes/usableBytes are the sums over marks 1. Requests above
 * 2^maxOrder pages fail (return 0), as alloc_pages fails above MAX_ORDER.
 *
 * Misuse: free of a page-aligned address that headed a freed block is `double-free`; any other
 * address that heads no live block is `invalid-free`; a sized free with another size is
 * `size-mismatch`. All before any change.
 */

import { AllocatorBase, HeapCorruption, hex, type AddressSpace, type BlockInfo, type HeapFigures } from '@heaplab/core';
import { BUDDY_DEFAULTS, type BuddyOptions, type PhysicalFigures } from './api.js';
import { checkFrameOptions, frameSourceFor, physicalFigures, type FrameSource } from './frame-source.js';

const LIVE = 1;
const FREED = 2;

export class BuddyAllocator extends AllocatorBase {
  readonly options: Readonly<BuddyOptions>;
  /** Where the frames come from (the space's own or a pool this allocator mapped). */
  readonly source: FrameSource;
  private readonly ps: number;
  private readonly maxOrder: number;
  private readonly mark: Uint8Array;
  private readonly order: Int8Array;
  private readonly requested: Float64Array;
  private liveBlocks = 0;
  private liveBytes = 0;
  private usableBytes = 0;

  constructor(space: AddressSpace, options: Partial<BuddyOptions> = {}) {
    const o = { ...BUDDY_DEFAULTS, ...options };
    checkFrameOptions('buddy', o);
    super(space, {
      name: 'buddy',
      family: 'kernel',
      parameters: { ...o },
      description: 'every request one block of 2^order page frames from a buddy allocator (alloc_pages)',
    });
    this.options = Object.freeze(o);
    this.source = frameSourceFor(space, this.identity, o);
    this.ps = space.pageSize;
    this.maxOrder = this.source.frames.maxOrder;
    const n = this.source.frames.totalFrames;
    this.mark = new Uint8Array(n);
    this.order = new Int8Array(n);
    this.requested = new Float64Array(n);
  }

  /** The smallest order whose block holds `bytes`, or −1 above maxOrder. */
  private orderFor(bytes: number): number {
    const pages = Math.ceil(Math.max(bytes, 1) / this.ps);
    let k = 0;
    while (2 ** k < pages) k++;
    return k <= this.maxOrder ? k : -1;
  }

  protected allocate(size: number, align: number): number {
    const k = this.orderFor(Math.max(size, align));
    if (k < 0) return 0;
    const pfn = this.source.allocPages(k);
    if (pfn < 0) return 0;
    const ptr = this.source.addressOf(pfn);
    if (ptr % align !== 0) {
      // A direct map not aligned to the block (a space's own, placed by the space): give it back.
      this.source.freePages(pfn, k);
      return 0;
    }
    this.mark[pfn] = LIVE;
    if (k > 0) this.mark.fill(0, pfn + 1, pfn + 2 ** k); // frames that headed freed blocks are now inside this one
    this.order[pfn] = k;
    this.requested[pfn] = size;
    const usable = this.ps * 2 ** k;
    this.liveBlocks++;
    this.liveBytes += size;
    this.usableBytes += usable;
    return ptr;
  }

  protected override allocateZeroed(size: number): number {
    const p = this.allocate(size, 16);
    // An own pool's frames read zero until written (freed blocks are given back with DONTNEED).
    if (p !== 0 && size > 0 && this.source.kind !== 'own-pool') this.space.raw.fill(p, size, 0);
    return p;
  }

  /** The pfn of the live block starting at ptr; throws double-free / invalid-free. */
  private headOf(ptr: number, what: string): number {
    const pfn = this.source.pfnOf(ptr);
    const aligned = pfn >= 0 && ptr === this.source.addressOf(pfn);
    if (aligned && this.mark[pfn] === LIVE) return pfn;
    if (aligned && this.mark[pfn] === FREED) this.misuse('double-free', `${what} of ${hex(ptr)}, a block already freed`, ptr);
    this.misuse('invalid-free', `${what} of ${hex(ptr)}, which does not start a live block of this allocator`, ptr);
  }

  protected usable(ptr: number): number {
    return this.ps * 2 ** this.order[this.headOf(ptr, 'usableSize')]!;
  }

  protected release(ptr: number, size: number | undefined): void {
    const pfn = this.headOf(ptr, 'free');
    const requested = this.requested[pfn]!;
    if (size !== undefined && size !== requested) this.misuse('size-mismatch', `free_sized(${hex(ptr)}, ${size}) of a block of ${requested} bytes`, ptr);
    const k = this.order[pfn]!;
    this.mark[pfn] = FREED;
    this.liveBlocks--;
    this.liveBytes -= requested;
    this.usableBytes -= this.ps * 2 ** k;
    this.source.freePages(pfn, k);
  }

  protected override resizeInPlace(ptr: number, size: number): number {
    const pfn = this.headOf(ptr, 'realloc');
    if (size > this.ps * 2 ** this.order[pfn]!) return 0;
    this.liveBytes += size - this.requested[pfn]!;
    this.requested[pfn] = size;
    return ptr;
  }

  /** The head pfn of the block with mark `want` holding frame pfn, or −1. */
  private blockHolding(pfn: number, want: number): number {
    for (let k = 0; k <= this.maxOrder; k++) {
      const h = pfn - (pfn % 2 ** k);
      if (this.mark[h] === want && h + 2 ** this.order[h]! > pfn) return h;
    }
    return -1;
  }

  blockAt(addr: number): BlockInfo | null {
    const pfn = this.source.pfnOf(addr);
    if (pfn < 0) return null;
    const h = this.blockHolding(pfn, LIVE);
    return h < 0 ? null : { base: this.source.addressOf(h), size: this.ps * 2 ** this.order[h]! };
  }

  protected override freedBlockAt(addr: number): BlockInfo | null {
    const pfn = this.source.pfnOf(addr);
    if (pfn < 0) return null;
    const h = this.blockHolding(pfn, FREED);
    if (h < 0 || !this.source.frames.isFree(h)) return null;
    return { base: this.source.addressOf(h), size: this.ps * 2 ** this.order[h]! };
  }

  /** Physical memory: frames in use, free blocks per order, fragmentation indices. */
  physical(): PhysicalFigures {
    return physicalFigures(this.source);
  }

  protected figures(): HeapFigures {
    const own = this.source.externalBytes;
    return {
      liveBlocks: this.liveBlocks,
      liveBytes: this.liveBytes,
      usableBytes: this.usableBytes,
      metadataBytes: 0,
      externalBytes: own + this.mark.byteLength + this.order.byteLength + this.requested.byteLength,
    };
  }

  check(): void {
    const bad = (what: string): never => {
      throw new HeapCorruption(this.label, what);
    };
    if (this.source.kind === 'own-pool') {
      try {
        this.source.frames.check();
      } catch (e) {
        bad((e as Error).message);
      }
    }
    let blocks = 0;
    let bytes = 0;
    let usable = 0;
    for (let p = 0; p < this.mark.length; p++) {
      if (this.mark[p] !== LIVE) continue;
      if (this.source.frames.allocatedOrder(p) !== this.order[p]) bad(`live block at pfn ${p} (order ${this.order[p]}) is not allocated with that order in the frame allocator`);
      blocks++;
      bytes += this.requested[p]!;
      usable += this.ps * 2 ** this.order[p]!;
    }
    if (blocks !== this.liveBlocks || bytes !== this.liveBytes || usable !== this.usableBytes) {
      bad(`marks add up to ${blocks} blocks / ${bytes} bytes / ${usable} usable, the counters say ${this.liveBlocks} / ${this.liveBytes} / ${this.usableBytes}`);
    }
    if (this.source.kind === 'own-pool' && this.source.frames.framesInUse * this.ps !== usable) bad(`${this.source.frames.framesInUse} frames in use but live blocks hold ${usable / this.ps}`);
  }
}

/** Makes a buddy allocator over a space. */
export function createBuddyAllocator(space: AddressSpace, options: Partial<BuddyOptions> = {}): BuddyAllocator {
  return new BuddyAllocator(space, options);
}
