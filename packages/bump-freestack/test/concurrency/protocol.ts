/*
 * What the concurrency test's main thread and its workers share, besides the space:
 *   - RINGS: one single-producer single-consumer ring per worker w, carrying blocks from w to
 *     worker (w + 1) % N to free: [head, tail, then RING_SLOTS × (address, size, tag)] in an
 *     Int32Array; the producer writes the slot then Atomics.store(tail), the consumer reads
 *     Atomics.load(tail) then the slot (so the block's bytes, written before, are visible).
 *   - HANDED: one bit per 16-byte granule of the space, set with Atomics.or when malloc returns a
 *     block starting there and cleared just before its free: finding it already set means one
 *     block was handed out twice.
 * Block contents: word 0 = tag (worker << 24 | serial), word 1 = requested size, every other byte
 * (tag & 255); a block is checked before it is freed, by whoever frees it.
 */

export const WORKERS = 4;
export const RING_SLOTS = 4096;
export const RING_WORDS = 2 + 3 * RING_SLOTS;
/** Index (in the control Int32Array) of the start flag: workers wait on it so all run at once. */
export const GO = WORKERS * RING_WORDS;
export const CONTROL_WORDS = GO + 1;

export interface WorkerInit {
  buffer: SharedArrayBuffer;
  control: SharedArrayBuffer;
  handed: SharedArrayBuffer;
  heapAddress: number;
  worker: number;
  ops: number;
  seed: number;
}

/** What a worker reports when its operations are done. */
export interface WorkerDone {
  worker: number;
  ops: number;
  mallocs: number;
  frees: number;
  foreignFrees: number;
  failures: number;
  /** Blocks it still holds: address, requested size, tag. */
  live: number[];
  cachedBlocks: number;
  cachedBytes: number;
}

/** Fills a block with its owner's tag. */
export function writeTag(u8: Uint8Array, u32: Uint32Array, p: number, size: number, tag: number): void {
  if (size >= 8) {
    u32[p >>> 2] = tag;
    u32[(p >>> 2) + 1] = size;
    u8.fill(tag & 255, p + 8, p + size);
  } else {
    u8.fill(tag & 255, p, p + size);
  }
}

/** The first thing wrong with a block's contents, or '' (large blocks: sampled every 61 bytes). */
export function checkTag(u8: Uint8Array, u32: Uint32Array, p: number, size: number, tag: number): string {
  if (size >= 8) {
    if (u32[p >>> 2] !== tag >>> 0) return `block 0x${p.toString(16)}: tag word ${u32[p >>> 2]!.toString(16)}, expected ${(tag >>> 0).toString(16)}`;
    if (u32[(p >>> 2) + 1] !== size) return `block 0x${p.toString(16)}: size word ${u32[(p >>> 2) + 1]}, expected ${size}`;
  }
  const b = tag & 255;
  const step = size > 4096 ? 61 : 1;
  for (let i = size >= 8 ? 8 : 0; i < size; i += step) if (u8[p + i] !== b) return `block 0x${p.toString(16)} (size ${size}): byte ${i} is ${u8[p + i]}, expected ${b}`;
  if (size > 0 && u8[p + size - 1] !== b && size >= 9) return `block 0x${p.toString(16)}: last byte changed`;
  return '';
}

/** Seeded xorshift32: numbers in [0, 1). */
export function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 4294967296;
  };
}
