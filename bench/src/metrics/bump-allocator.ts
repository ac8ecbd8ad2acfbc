/*
 * A benchmark helper, not a usable allocator: the cheapest allocator the contract allows, to
 * measure what the replay engine itself costs per event. One arena mapped at the first request;
 * each block is [u32 size, pad to 16][user bytes], carved by a bump pointer; free does nothing.
 * When the arena is full the pointer goes back to its start (a ring), so a long trace runs in
 * bounded memory — blocks still live are then handed out again, which only a benchmark may do.
 *
 * Invariant: base ≤ top ≤ base + arena; every pointer handed out is 16-aligned and its size word
 * sits 16 bytes before it.
 *
 * It measures the engine, so its own cost is kept to integer arithmetic: `up` rounds with a mask
 * (core's alignUp divides in floating point, and an imported function is a live binding V8
 * reloads and checks at every call). `up(x, a)` equals alignUp(x, a) for every safe integer
 * x ≥ 0 and power of two a ≤ 2^31: `x & (a − 1)` is x mod a, since ToInt32 keeps x mod 2^32 and
 * a divides 2^32.
 */

import { AllocatorBase, type AddressSpace, type BlockInfo, type HeapFigures } from '@heaplab/core';

const HEADER = 16;
const up = (x: number, a: number): number => x + ((a - (x & (a - 1))) & (a - 1));

export class RingBumpAllocator extends AllocatorBase {
  private base = 0;
  private top = 0;
  private end = 0;

  constructor(
    space: AddressSpace,
    private readonly arena = 64 * 2 ** 20,
  ) {
    super(space, { name: 'ring-bump', family: 'benchmark', parameters: { arena }, description: 'benchmark helper: bump pointer in a ring, free does nothing' });
    if (!Number.isInteger(arena) || arena < space.pageSize || arena % space.pageSize !== 0) throw new RangeError(`arena must be a positive multiple of the page size, got ${arena}`);
  }

  protected allocate(size: number, align: number): number {
    if (this.base === 0) {
      this.base = this.space.mmap(0, this.arena, 3, 0, this.identity);
      this.top = this.base;
      this.end = this.base + this.arena;
    }
    const need = up(HEADER + size, 16) + align;
    if (need > this.arena) return 0;
    if (this.top + need > this.end) this.top = this.base;
    const p = up(this.top + HEADER, align);
    this.space.raw.setU32(p - HEADER, size);
    this.top = up(p + size, 16);
    return p;
  }

  protected release(): void {}

  protected usable(ptr: number): number {
    return this.space.raw.u32(ptr - HEADER);
  }

  blockAt(): BlockInfo | null {
    return null;
  }

  protected figures(): HeapFigures {
    return { liveBlocks: 0, liveBytes: 0, usableBytes: 0, metadataBytes: 0 };
  }

  check(): void {}
}
