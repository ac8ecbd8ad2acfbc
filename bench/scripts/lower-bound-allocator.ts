/*
 * A lower bound, not an allocator to use: the least a size-class allocator can do per call in
 * heaplab's replay engine, to tell how much of bump-freestack's time on churn is its own work
 * and how much any allocator of its kind pays here (issue 7's target: at or below glibc's time).
 *
 * Simple segregated storage: a class per 16 bytes up to 1 KiB, then one per power of two up to
 * 2^30; each block has a 16-byte header in band (word 0: the next free block of its class, word
 * 1: its class); a LIFO free list per class, heads in a JS array; fresh blocks carved by a bump
 * pointer from one 1 GiB mapping (then malloc returns 0). No checks (a double free corrupts the
 * list), no counters, no figures, memory never given back. Invariant: a free block is on exactly its class's list.
 *
 * With `outOfBandState: true` it also keeps, as bump-freestack does, a state word per 16 bytes
 * of the chunk in a separate mapping (requested size << 2 | live): malloc writes it, free checks
 * and writes it (a double free throws) — one more cache line per call, away from the block.
 *
 * Run beside bump-freestack and the engine's floor, in one plan (each in its own isolate):
 *   heaplab replay -w churn --runs 5 --floor -a bump-freestack,lower-bound@bench/scripts/lower-bound-allocator.ts,\
 *        lower-bound@bench/scripts/lower-bound-allocator.ts:outOfBandState=true
 * What it tells: on churn, an allocator with nothing to do but pop and push comes to about
 * native glibc's time in this engine (its coarse classes above 1 KiB carve more, so it takes
 * more page faults than bump-freestack), and the out-of-band state word's extra cache line is
 * most of what bump-freestack pays above it.
 */

import { AllocatorBase, defineAllocator, type AddressSpace, type BlockInfo, type HeapFigures } from '@heaplab/core';

const SMALL = 64; // classes 1 … 64: 16 … 1024 bytes
const CLASSES = SMALL + 21; // then 2 KiB … 2^30
const HEADER = 16;
const CHUNK = 2 ** 30;

function classOf(n: number): number {
  return n <= 1024 ? (n + 15) >>> 4 : SMALL + (32 - Math.clz32(n - 1)) - 10;
}

export interface LowerBoundOptions {
  /** Keep a state word per 16 bytes out of band, checked and written on free. Default false. */
  outOfBandState?: boolean;
}

export class LowerBoundAllocator extends AllocatorBase {
  private readonly head = new Uint32Array(CLASSES);
  private readonly size = new Uint32Array(CLASSES);
  private top = 0;
  private end = 0;
  /** The chunk's first byte and the u32 index of its state words (0: no state kept). */
  private base = 0;
  private state = 0;
  private readonly oob: boolean;

  constructor(space: AddressSpace, options: LowerBoundOptions = {}) {
    super(space, { name: 'lower-bound', family: 'experiment', parameters: { ...options }, description: 'simple segregated storage with nothing else: a lower bound for size-class allocators' });
    if (options.outOfBandState !== undefined && typeof options.outOfBandState !== 'boolean') throw new TypeError(`outOfBandState must be a boolean, got ${String(options.outOfBandState)}`);
    this.oob = options.outOfBandState === true;
    for (let c = 1; c < CLASSES; c++) this.size[c] = c <= SMALL ? c * 16 : 2 ** (c - SMALL + 10);
  }

  protected allocate(size: number): number {
    if (size > CHUNK - HEADER) return 0;
    const c = classOf(Math.max(size, 16));
    const u32 = this.space.u32;
    const h = this.head[c]!;
    if (h !== 0) {
      this.head[c] = u32[h >>> 2]!;
      if (this.oob) u32[this.state + ((h - this.base) >>> 4)] = ((size << 2) | 1) >>> 0;
      return h + HEADER;
    }
    const need = this.size[c]! + HEADER;
    if (this.top + need > this.end) {
      if (this.base !== 0) return 0; // one chunk: the state words cover it alone
      this.top = this.base = this.space.mmap(0, CHUNK, 3, 0, this.identity);
      this.end = this.top + CHUNK;
      if (this.oob) this.state = this.space.mmap(0, CHUNK / 4, 3, 0, this.identity) >>> 2;
    }
    const p = this.top;
    this.top += need;
    u32[(p >>> 2) + 1] = c;
    if (this.oob) u32[this.state + ((p - this.base) >>> 4)] = ((size << 2) | 1) >>> 0;
    return p + HEADER;
  }

  protected release(ptr: number): void {
    const h = ptr - HEADER;
    const u32 = this.space.u32;
    const c = u32[(h >>> 2) + 1]!;
    if (this.oob) {
      const m = this.state + ((h - this.base) >>> 4);
      if ((u32[m]! & 3) !== 1) this.misuse('double-free', `free of ${ptr}, which is not live`, ptr);
      u32[m] = 2;
    }
    u32[h >>> 2] = this.head[c]!;
    this.head[c] = h;
  }

  protected usable(ptr: number): number {
    return this.size[this.space.u32[((ptr - HEADER) >>> 2) + 1]!]!;
  }

  blockAt(): BlockInfo | null {
    return null;
  }

  protected figures(): HeapFigures {
    return { liveBlocks: 0, liveBytes: 0, usableBytes: 0, metadataBytes: 0 };
  }

  check(): void {}
}

export function createLowerBoundAllocator(space: AddressSpace, options: LowerBoundOptions = {}): LowerBoundAllocator {
  return new LowerBoundAllocator(space, options);
}

/** The allocator as a registry strategy, so a plan can name it: `lower-bound@bench/scripts/lower-bound-allocator.ts`. */
export const lowerBoundStrategy = defineAllocator<Required<LowerBoundOptions>>({
  name: 'lower-bound',
  family: 'benchmark',
  description: 'a lower bound, not an allocator to use: simple segregated storage with nothing else',
  defaults: { outOfBandState: false },
  create: (space, parameters) => createLowerBoundAllocator(space, parameters),
});
