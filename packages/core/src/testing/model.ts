/*
 * The model of the conformance kit: the operations a fuzz sequence is made of, and the live
 * blocks the allocator should hold, each filled with a pattern.
 *
 * A block's pattern is byte i = (tag + i) & 255, with a tag unique among live blocks, so a byte
 * that leaks from one block into another, or metadata written into a live block, breaks it.
 * Patterns are written and compared through the space's raw memory; blocks larger than FULL_CHECK bytes are compared on
 * their first and last 256 bytes and every 61st byte between, so a thousand runs take seconds.
 *
 * Invariant checked after every step (verify): each live block is aligned, lies in mapped
 * writable pages, is disjoint from every other (a size-0 block counts as one byte), keeps its
 * pattern; blockAt and usableSize agree; stats() agrees with the model; check() passes.
 */

import type { Allocator } from '../api.js';
import type { RawMemory } from '../space/memory.js';

/** One step of a fuzz sequence. `i` picks a live block modulo the number of live blocks. */
export type Op =
  | { op: 'malloc'; size: number }
  | { op: 'calloc'; n: number; size: number }
  | { op: 'realloc'; i: number; size: number }
  | { op: 'memalign'; alignLog2: number; size: number }
  | { op: 'free'; i: number }
  | { op: 'sizedFree'; i: number }
  | { op: 'write'; i: number }
  | { op: 'read'; i: number };

/** How an op prints in a shrunk sequence. */
export function formatOp(o: Op): string {
  switch (o.op) {
    case 'malloc': return `malloc(${o.size})`;
    case 'calloc': return `calloc(${o.n}, ${o.size})`;
    case 'realloc': return `realloc(#${o.i}, ${o.size})`;
    case 'memalign': return `memalign(${2 ** o.alignLog2}, ${o.size})`;
    case 'free': return `free(#${o.i})`;
    case 'sizedFree': return `free_sized(#${o.i})`;
    case 'write': return `write(#${o.i})`;
    case 'read': return `read(#${o.i})`;
  }
}

export interface LiveBlock {
  ptr: number;
  size: number;
  align: number;
  tag: number;
}

const FULL_CHECK = 4096;

/** Byte access for the pattern helpers: a space's RawMemory, or a flat view indexed by address. */
type Bytes = Pick<RawMemory, 'u8' | 'setU8'>;
function bytesOf(mem: Uint8Array | Bytes): Bytes {
  if (!(mem instanceof Uint8Array)) return mem;
  return { u8: (a) => mem[a]!, setU8: (a, v) => { mem[a] = v; } };
}

/** Fills a block with its pattern through the space's raw memory (or a flat view). */
export function fillPattern(mem: Uint8Array | Bytes, b: LiveBlock): void {
  const m = bytesOf(mem);
  const { ptr, size, tag } = b;
  for (let i = 0; i < size; i++) m.setU8(ptr + i, (tag + i) & 255);
}

/** Index of the first byte of the block that does not hold its pattern (sampled when large), or −1. */
export function findBrokenByte(mem: Uint8Array | Bytes, b: LiveBlock, upTo = b.size): number {
  const m = bytesOf(mem);
  const { ptr, tag } = b;
  const n = Math.min(upTo, b.size);
  if (n <= FULL_CHECK) {
    for (let i = 0; i < n; i++) if (m.u8(ptr + i) !== ((tag + i) & 255)) return i;
    return -1;
  }
  for (let i = 0; i < 256; i++) if (m.u8(ptr + i) !== ((tag + i) & 255)) return i;
  for (let i = 256; i < n - 256; i += 61) if (m.u8(ptr + i) !== ((tag + i) & 255)) return i;
  for (let i = n - 256; i < n; i++) if (m.u8(ptr + i) !== ((tag + i) & 255)) return i;
  return -1;
}

/** Live blocks of one run, with tags handed out so no two live blocks share one. */
export class Model {
  readonly blocks: LiveBlock[] = [];
  private nextTag = 1;

  tag(): number {
    const t = this.nextTag;
    this.nextTag = (this.nextTag % 251) + 1;
    return t;
  }

  pick(i: number): LiveBlock | undefined {
    return this.blocks.length === 0 ? undefined : this.blocks[i % this.blocks.length];
  }

  remove(b: LiveBlock): void {
    const k = this.blocks.indexOf(b);
    this.blocks.splice(k, 1);
  }
}

/** A failed per-step check: what, about which block. */
export class ConformanceViolation extends Error {}

/** Checks every invariant of the model against the allocator; throws ConformanceViolation. */
export function verify(a: Allocator, m: Model, options: { check: boolean }): void {
  const space = a.space;
  const mem = space.raw;
  const sorted = [...m.blocks].sort((x, y) => x.ptr - y.ptr);
  let liveBytes = 0;
  let usableBytes = 0;
  let prevEnd = 0;
  let prev: LiveBlock | null = null;
  for (const b of sorted) {
    const at = `block ${b.ptr.toString(16)} (size ${b.size})`;
    if (b.ptr % b.align !== 0) throw new ConformanceViolation(`${at} is not aligned to ${b.align}`);
    if (b.ptr < prevEnd) throw new ConformanceViolation(`${at} overlaps block ${prev!.ptr.toString(16)} (size ${prev!.size})`);
    prevEnd = b.ptr + Math.max(1, b.size);
    prev = b;
    if (b.size > 0 && !space.accessible(b.ptr, b.size, 3)) throw new ConformanceViolation(`${at} is not inside mapped writable pages`);
    const broken = findBrokenByte(mem, b);
    if (broken >= 0) throw new ConformanceViolation(`${at}: byte ${broken} was changed (pattern broken: expected ${(b.tag + broken) & 255}, found ${mem.u8(b.ptr + broken)})`);
    const usable = a.usableSize(b.ptr);
    if (usable < b.size) throw new ConformanceViolation(`${at}: usableSize ${usable} is below the requested size`);
    for (const addr of b.size > 0 ? [b.ptr, b.ptr + (b.size >>> 1), b.ptr + b.size - 1] : [b.ptr]) {
      const info = a.blockAt(addr);
      if (!info || info.base !== b.ptr || info.size !== usable) {
        throw new ConformanceViolation(`${at}: blockAt(${addr.toString(16)}) gave ${JSON.stringify(info)}, expected base ${b.ptr.toString(16)} size ${usable}`);
      }
    }
    liveBytes += b.size;
    usableBytes += usable;
  }
  const s = a.stats();
  if (s.liveBlocks !== m.blocks.length) throw new ConformanceViolation(`stats().liveBlocks is ${s.liveBlocks}, the model has ${m.blocks.length}`);
  if (s.liveBytes !== liveBytes) throw new ConformanceViolation(`stats().liveBytes is ${s.liveBytes}, the model has ${liveBytes}`);
  if (s.usableBytes !== usableBytes) throw new ConformanceViolation(`stats().usableBytes is ${s.usableBytes}, the sum of usableSize is ${usableBytes}`);
  if (options.check) a.check();
}
