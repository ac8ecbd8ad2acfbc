/*
 * FrameSource: where a kernel allocator gets page frames (alloc_pages / __free_pages) and at
 * which virtual address it reaches a frame (the kernel's direct map, page_address()).
 *
 * Two implementations:
 *   - the space's own physical memory, when the space was made with `physical`: frames taken
 *     with `space.takeFrames(order, owner)` and given back with `space.returnFrames`, reached
 *     through the space's direct map (frame pfn at directMapBase + pfn·pageSize). Frames then are
 *     the same RAM every other mapping of the space draws from (its page faults included).
 *   - OwnPool, in any space: the allocator maps a direct-map region of its own (RW, owned by the
 *     allocator, aligned to its largest block so an order-k block's address is aligned to 2^k
 *     pages) and cuts it into frames with a BuddyFrames of its own. A freed block's pages are
 *     given back with madvise(DONTNEED), so the space's resident figure follows the frames
 *     written and still in use.
 *
 * Invariant: addressOf(pfn) = base + pfn·pageSize for pfn < totalFrames; pfnOf is its inverse
 * on the region and −1 outside it. allocPages returns −1 when no block of the order is free.
 */

import { BuddyFrames, KernelError, MADV_DONTNEED, PROT_READ, PROT_WRITE, type AddressSpace, type Identity } from '@heaplab/core';
import type { FrameOptions, PhysicalFigures } from './api.js';

const MiB = 2 ** 20;

/** Page frames and the direct map through which an allocator reaches them. */
export interface FrameSource {
  readonly kind: 'space' | 'own-pool';
  readonly frames: BuddyFrames;
  readonly pageSize: number;
  /** First pfn of a free block of 2^order frames, or −1. */
  allocPages(order: number): number;
  /** Gives the block back (throws the frame allocator's FrameError on a bad pfn or order). */
  freePages(pfn: number, order: number): void;
  /** Direct-map address of frame pfn. */
  addressOf(pfn: number): number;
  /** The frame whose direct-map page holds addr, or −1. */
  pfnOf(addr: number): number;
  /** First and last+1 direct-map addresses. */
  readonly start: number;
  readonly end: number;
  /** Bytes held outside the space (the frame tables, when they are the allocator's own). */
  readonly externalBytes: number;
}

/** The space's own frames and direct map (a space made with `physical`): takeFrames / returnFrames. */
class SpaceFrames implements FrameSource {
  readonly kind = 'space' as const;
  readonly frames: BuddyFrames;
  readonly pageSize: number;
  readonly start: number;
  readonly end: number;
  readonly externalBytes = 0;

  constructor(
    private readonly space: AddressSpace,
    private readonly owner: Identity,
  ) {
    this.frames = space.frames!;
    this.pageSize = space.pageSize;
    this.start = space.directMapBase!;
    this.end = this.start + this.frames.totalFrames * this.pageSize;
  }

  allocPages(order: number): number { return this.space.takeFrames(order, this.owner); }
  freePages(pfn: number, order: number): void { this.space.returnFrames(pfn, order); }
  addressOf(pfn: number): number { return this.start + pfn * this.pageSize; }
  pfnOf(addr: number): number { return addr >= this.start && addr < this.end ? Math.floor((addr - this.start) / this.pageSize) : -1; }
}

/** A direct-map region mapped by the allocator itself, cut into frames by its own BuddyFrames. */
export class OwnPool implements FrameSource {
  readonly kind = 'own-pool' as const;
  readonly frames: BuddyFrames;
  readonly pageSize: number;
  readonly start: number;
  readonly end: number;

  constructor(
    private readonly space: AddressSpace,
    owner: Identity,
    bytes: number,
    maxOrder: number,
  ) {
    const ps = space.pageSize;
    this.pageSize = ps;
    const frames = Math.floor(bytes / ps);
    this.frames = new BuddyFrames(frames, { maxOrder });
    // Aligned to the largest block the frames can form, so an order-k block is aligned to 2^k pages.
    const align = ps * 2 ** Math.min(maxOrder, Math.floor(Math.log2(frames)));
    const len = frames * ps;
    // Over-map by the alignment, keep the aligned run, give the rest back.
    let raw: number;
    try {
      raw = space.mmap(0, len + align, PROT_READ | PROT_WRITE, 0, owner);
    } catch (e) {
      if (e instanceof KernelError) throw new RangeError(`kernel allocators: cannot map a ${len / MiB} MiB direct map in this ${space.size / MiB} MiB space (${e.message}); set physicalMib smaller`);
      throw e;
    }
    const base = Math.ceil(raw / align) * align;
    if (base > raw) space.munmap(raw, base - raw);
    const tail = raw + len + align - (base + len);
    if (tail > 0) space.munmap(base + len, tail);
    this.start = base;
    this.end = base + len;
  }

  get externalBytes(): number {
    return this.frames.tableBytes;
  }

  allocPages(order: number): number {
    return this.frames.alloc(order);
  }

  freePages(pfn: number, order: number): void {
    this.frames.free(pfn, order);
    this.space.madvise(this.start + pfn * this.pageSize, this.pageSize * 2 ** order, MADV_DONTNEED);
  }

  addressOf(pfn: number): number {
    return this.start + pfn * this.pageSize;
  }

  pfnOf(addr: number): number {
    return addr >= this.start && addr < this.end ? Math.floor((addr - this.start) / this.pageSize) : -1;
  }
}

/** Checks the shared options; throws a TypeError naming the option. */
export function checkFrameOptions(who: string, o: FrameOptions): void {
  if (!(typeof o.physicalMib === 'number' && o.physicalMib > 0 && Number.isFinite(o.physicalMib))) throw new TypeError(`${who}: option physicalMib must be a positive number of MiB, got ${String(o.physicalMib)}`);
  if (!Number.isInteger(o.maxOrder) || o.maxOrder < 0 || o.maxOrder > 20) throw new TypeError(`${who}: option maxOrder must be an integer 0 … 20, got ${String(o.maxOrder)}`);
}

/** Bytes of the own pool: physicalMib, or a quarter of the space when the space is smaller than four times that. */
export function ownPoolBytes(space: AddressSpace, o: FrameOptions): number {
  const want = Math.floor(o.physicalMib * MiB);
  const bytes = space.size < 4 * want ? Math.floor(space.size / 4) : want;
  return Math.max(space.pageSize, bytes - (bytes % space.pageSize));
}

/** The space's frames when it has them, else an own pool mapped now (owned by `owner`). */
export function frameSourceFor(space: AddressSpace, owner: Identity, o: FrameOptions): FrameSource {
  if (space.directMapBase !== undefined && space.frames !== undefined) return new SpaceFrames(space, owner);
  return new OwnPool(space, owner, ownPoolBytes(space, o), o.maxOrder);
}

/** The physical figures of a frame source. */
export function physicalFigures(src: FrameSource): PhysicalFigures {
  const f = src.frames;
  const unusable: number[] = [];
  for (let k = 0; k <= f.maxOrder; k++) unusable.push(f.unusableIndex(k));
  return {
    source: src.kind,
    pageSize: src.pageSize,
    totalFrames: f.totalFrames,
    framesInUse: f.framesInUse,
    peakFramesInUse: f.peakInUse,
    framesFree: f.framesFree,
    buddyinfo: f.buddyinfo(),
    largestFreeOrder: f.largestFreeOrder(),
    unusableIndex: unusable,
  };
}
