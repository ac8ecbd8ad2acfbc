/*
 * The kmalloc caches, computed as the kernel computes them: the size list (kmalloc_info), each
 * cache's slab order (SLUB's calculate_order / calc_slab_order), its objects per slab and its
 * min_partial, and a lookup table from a request size to its cache (size_index).
 *
 * Size list: powers of two from KMALLOC_MIN_SIZE up to KMALLOC_MAX_CACHE_SIZE = 2 pages, plus the
 * 1.5× caches 96 and 192 (kept while KMALLOC_MIN_SIZE is at most 32 and 64). KMALLOC_MIN_SIZE is
 * 16 here, the allocator contract's alignment: kmalloc-8 is not made, as on architectures whose
 * minimum kmalloc alignment is 16.
 *
 * Slab order (one CPU, so slub_min_objects = 4·(fls(1) + 1) = 8; slub_max_order =
 * PAGE_ALLOC_COSTLY_ORDER = 3): for min_objects from 8 down to 2 and a leftover fraction of 1/16,
 * 1/8, 1/4 of the slab, the lowest order ≥ get_order(min_objects·size) whose leftover
 * (slab bytes mod object stride) is within the fraction; else one object at order ≤ 3; else the
 * lowest order that holds one object.
 */

/** One cache's geometry. */
export interface CacheGeometry {
  /** kmalloc-N: the object size N. */
  size: number;
  /** Bytes from one object to the next: size, plus the red zone and the out-of-object free pointer when enabled. */
  stride: number;
  /** Offset of the free pointer inside a free object's stride. */
  freePointer: number;
  /** Slab order: a slab is 2^order pages. */
  order: number;
  /** Objects per slab. */
  objects: number;
  /** Empty slabs kept on the cache before they go back to the buddy allocator (SLUB's min_partial). */
  minPartial: number;
}

/** KMALLOC_MIN_SIZE: the smallest cache (the contract's alignment). */
export const KMALLOC_MIN_SIZE = 16;
/** Bytes of the red zone after each object with `redZone` (keeps the stride a multiple of 16). */
export const RED_ZONE = 16;
/** Bytes of the free-pointer word kept after the object with `poison`. */
export const FREE_POINTER_WORD = 16;
const SLUB_MAX_ORDER = 3;
const SLUB_MIN_OBJECTS = 8;

/** The kmalloc size list for a page size: 16, 32, 64, 96, 128, 192, 256, … 2 pages. */
export function kmallocSizes(pageSize: number): number[] {
  const out: number[] = [];
  for (let s = KMALLOC_MIN_SIZE; s <= 2 * pageSize; s *= 2) {
    out.push(s);
    // The 1.5× caches between 64 and 128 and between 128 and 256 (kmalloc-96, kmalloc-192).
    if ((s === 64 && KMALLOC_MIN_SIZE <= 32) || (s === 128 && KMALLOC_MIN_SIZE <= 64)) out.push(s + s / 2);
  }
  return out;
}

function getOrder(bytes: number, pageSize: number): number {
  let k = 0;
  while (pageSize * 2 ** k < bytes) k++;
  return k;
}

function calcSlabOrder(stride: number, minObjects: number, maxOrder: number, fraction: number, pageSize: number): number {
  let order = Math.max(getOrder(stride, pageSize), getOrder(minObjects * stride, pageSize));
  for (; order <= maxOrder; order++) {
    const slab = pageSize * 2 ** order;
    if (slab % stride <= slab / fraction) break;
  }
  return order;
}

/** SLUB's calculate_order for an object stride. */
export function slabOrder(stride: number, pageSize: number, highestOrder: number): number {
  const maxOrder = Math.min(SLUB_MAX_ORDER, highestOrder);
  for (let minObjects = SLUB_MIN_OBJECTS; minObjects > 1; minObjects--) {
    for (let fraction = 16; fraction >= 4; fraction /= 2) {
      const order = calcSlabOrder(stride, minObjects, maxOrder, fraction, pageSize);
      if (order <= maxOrder) return order;
    }
  }
  const one = calcSlabOrder(stride, 1, maxOrder, 1, pageSize);
  return one <= maxOrder ? one : getOrder(stride, pageSize);
}

/** The geometry of every kmalloc cache, smallest first; a cache whose slab would pass the frame allocator's highest order is not made. */
export function kmallocCaches(pageSize: number, highestOrder: number, redZone: boolean, poison: boolean): CacheGeometry[] {
  const all = kmallocSizes(pageSize).map((size) => {
    const rz = redZone ? RED_ZONE : 0;
    const stride = size + rz + (poison ? FREE_POINTER_WORD : 0);
    const order = slabOrder(stride, pageSize, highestOrder);
    const ilog2 = Math.floor(Math.log2(size));
    return {
      size,
      stride,
      freePointer: poison ? size + rz : 0,
      order,
      objects: Math.floor((pageSize * 2 ** order) / stride),
      minPartial: Math.min(10, Math.max(5, Math.floor(ilog2 / 2))),
    };
  });
  return all.filter((c) => c.order <= highestOrder);
}

/**
 * size_index: entry ⌈size/16⌉ is the index of the smallest cache holding `size` bytes, for sizes
 * up to the largest cache.
 */
export function sizeIndex(caches: readonly CacheGeometry[]): Uint8Array {
  const max = caches[caches.length - 1]!.size;
  const table = new Uint8Array(max / KMALLOC_MIN_SIZE + 1);
  let c = 0;
  for (let g = 0; g < table.length; g++) {
    while (caches[c]!.size < g * KMALLOC_MIN_SIZE) c++;
    table[g] = c;
  }
  return table;
}
