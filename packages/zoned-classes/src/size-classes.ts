/*
 * The size-class table, computed (never typed), as hardened_malloc's:
 *   class 0: size 0, slots of 16 bytes whose memory is never accessible (malloc(0));
 *   16, 32, 48, 64, then four classes per doubling (80, 96, 112, 128, 160, …) up to 16 KiB,
 *   or up to 128 KiB with `extended`.
 *
 * Each class gets a slab of whole pages: the fewest pages that hold at least
 * min(32, max(1, ⌊64 KiB / slot⌋)) slots while wasting at most 1/64 of the slab at its end.
 *
 * Invariants: slot sizes strictly increase and are multiples of 16; slots × slot ≤ slab bytes;
 * (slab bytes − slots × slot) ≤ slab bytes / 64 unless no slab up to 64 pages achieves it.
 */

/** One size class. */
export interface SizeClass {
  /** Index in the table (0 is the size-0 class). */
  index: number;
  /** Bytes per slot (16 for class 0). */
  slotSize: number;
  /** Largest request served with a canary of `canary` bytes: slotSize − canary (0 for class 0). */
  usable: number;
  /** Pages per slab. */
  slabPages: number;
  /** Slots per slab. */
  slots: number;
  /** Bytes at the end of a slab that no slot uses. */
  slabWaste: number;
}

/** Options of the table. */
export interface SizeClassOptions {
  /** Classes up to 128 KiB instead of 16 KiB. */
  extended: boolean;
  /** Page size of the space. */
  pageSize: number;
  /** Canary bytes at the end of each slot (0 or 8). */
  canary: number;
}

/** Largest class: 16 KiB, or 128 KiB extended. */
export function largestClass(extended: boolean): number {
  return extended ? 128 * 1024 : 16 * 1024;
}

/** The slot sizes, class 0 first (its slots are 16 bytes apart). */
export function slotSizes(extended: boolean): number[] {
  const out = [16, 16, 32, 48, 64];
  const top = largestClass(extended);
  for (let base = 64; base < top; base *= 2) for (let k = 1; k <= 4; k++) out.push(base + (base / 4) * k);
  return out;
}

/** The whole table. */
export function sizeClassTable(options: Partial<SizeClassOptions> = {}): SizeClass[] {
  const extended = options.extended ?? true;
  const pageSize = options.pageSize ?? 4096;
  const canary = options.canary ?? 8;
  if (pageSize !== 4096 && pageSize !== 65536) throw new RangeError(`sizeClassTable: pageSize must be 4096 or 65536, got ${pageSize}`);
  if (canary !== 0 && canary !== 8) throw new RangeError(`sizeClassTable: canary must be 0 or 8, got ${canary}`);
  return slotSizes(extended).map((slotSize, index) => {
    const minSlots = Math.min(32, Math.max(1, Math.floor((64 * 1024) / slotSize)));
    let slabPages = 0;
    for (let p = 1; p <= 64 && slabPages === 0; p++) {
      const bytes = p * pageSize;
      const slots = Math.floor(bytes / slotSize);
      if (slots >= minSlots && (bytes - slots * slotSize) * 64 <= bytes) slabPages = p;
    }
    if (slabPages === 0) slabPages = Math.ceil((minSlots * slotSize) / pageSize);
    const slots = Math.floor((slabPages * pageSize) / slotSize);
    return {
      index,
      slotSize,
      usable: index === 0 ? 0 : slotSize - canary,
      slabPages,
      slots,
      slabWaste: slabPages * pageSize - slots * slotSize,
    };
  });
}
