/*
 * The zone plan: where each size class's zone, slabs and metadata go, computed from the size of
 * the address space (a pure function, so scripts can print it without making an allocator).
 *
 * Address space (one zone per class, all zones of equal size, contiguous, in a shuffled order,
 * the whole area at a random base):
 *
 *   area ─┬─ zone of class z0 ─┬─ zone of class z1 ─┬─ …
 *         │ off │S│g│S│g│S│…│t│ off │S│S│S│…│g│…   │
 *
 *   off: a random run of 1 … ⌈zone/16⌉ PROT_NONE pages before the first slab (the zone's
 *        randomized base); S: slab positions; g: a guard slab after every `guardSlabInterval`
 *        slabs; t: at least one PROT_NONE page at the zone's end. Every page starts PROT_NONE;
 *        a slab is made writable when first used. Slab i sits at position i + ⌊i / interval⌋.
 *
 * Metadata (out of band, one separate mapping reserved PROT_NONE and made writable 16 KiB at a time
 * as each class's records are first needed; words of an Int32Array view):
 *   per class, per slab, a record of RECORD_HEADER + 3·W + slots words:
 *     [state, next, prev, live, held, canary0, canary1, slab address, first-free-word hint,
 *      used bitmap (W words), quarantine bitmap (W words), dirty bitmap (W words: slots handed out
 *      since the slab was last made writable), requested size of each slot (slots words; none for class 0)]
 *   with W = ⌈slots / 32⌉.
 *
 * Zone size: in a space of at most 4 GiB, zoneShare of the space shared equally by the classes
 * (about 40 MiB each in 4 GiB); in a larger space (a 64-bit process) hardened_malloc's class region,
 * 32 GiB, as long as the share allows it — far larger than any heap the space can hold, so a zone
 * runs out only when the space's memory does.
 *
 * Invariants: zonePages · zones ≤ zoneShare · space size; for every class with slabs > 0,
 * off + positions · slabPages + 1 ≤ zonePages; metadata records of different classes do not overlap.
 */

import type { SizeClass } from './size-classes.js';
import type { Random } from './random.js';

/** Words before the bitmaps in a slab record. */
export const RECORD_HEADER = 9;
/** Offsets in a slab record. */
export const R_STATE = 0;
export const R_NEXT = 1;
export const R_PREV = 2;
export const R_LIVE = 3;
export const R_HELD = 4;
export const R_CANARY0 = 5;
export const R_CANARY1 = 6;
/** The slab's address (as u32), set when the slab is first used. */
export const R_ADDR = 7;
/** Without slot randomization: the first bitmap word that may hold a free slot (all below are full). */
export const R_HINT = 8;

/** Slab states. NEVER and DECOMMITTED slabs are PROT_NONE; the others are writable (except class 0's). */
export const S_NEVER = 0;
export const S_PARTIAL = 1;
export const S_FULL = 2;
export const S_EMPTY = 3;
export const S_DECOMMITTED = 4;
export const STATE_NAMES = ['never used', 'partial', 'full', 'empty', 'decommitted'];

/** Where one class lives. */
export interface ClassPlan {
  /** Position of its zone in the area. */
  zone: number;
  /** PROT_NONE pages before its first slab. */
  offsetPages: number;
  /** Slab positions (slabs and guard slabs) that fit in the zone. */
  positions: number;
  /** Slabs (positions that are not guards). */
  slabs: number;
  /** Bitmap words per slab. */
  words: number;
  /** Words per slab record. */
  recordWords: number;
  /** First word of its records in the metadata view. */
  metaBase: number;
}

/** The whole plan. */
export interface ZonePlan {
  zonePages: number;
  zoneBytes: number;
  areaBytes: number;
  /** Class index of each zone position. */
  zoneClass: number[];
  classes: ClassPlan[];
  /** Words of slab metadata in all. */
  metaWords: number;
  /** Pages of the metadata mapping (without its two guard pages). */
  metaPages: number;
}

/** hardened_malloc's CONFIG_CLASS_REGION_SIZE: the zone of each class in a space larger than 4 GiB (a 64-bit process). */
export const CLASS_REGION_BYTES = 32 * 2 ** 30;

/** Bytes of each zone in a space of `spaceSize` bytes: a share of a ≤ 4 GiB space, hardened_malloc's region (at most the share) above. */
export function zoneBytesFor(spaceSize: number, pageSize: number, classCount: number, zoneShare: number): number {
  const share = Math.floor((spaceSize * zoneShare) / classCount / pageSize) * pageSize;
  return spaceSize > 2 ** 32 ? Math.min(share, CLASS_REGION_BYTES) : share;
}

/** Plans the zones of `classes` in a space of `spaceSize` bytes. */
export function planZones(spaceSize: number, pageSize: number, classes: readonly SizeClass[], zoneShare: number, guardSlabInterval: number, rng: Random): ZonePlan {
  const n = classes.length;
  const zonePages = zoneBytesFor(spaceSize, pageSize, n, zoneShare) / pageSize;
  const order = rng.shuffle(classes.map((c) => c.index));
  const zoneOf = new Array<number>(n);
  order.forEach((c, z) => (zoneOf[c] = z));
  let metaWords = 0;
  const plans = classes.map((c): ClassPlan => {
    const offsetPages = 1 + rng.below(Math.max(1, Math.ceil(zonePages / 16)));
    const room = Math.max(0, zonePages - offsetPages - 1);
    let positions = Math.floor(room / c.slabPages);
    // The last position must not be a guard: a guard at the end is already there (the tail page).
    if (positions > 0 && positions % (guardSlabInterval + 1) === 0) positions--;
    const slabs = positions - Math.floor(positions / (guardSlabInterval + 1));
    const words = Math.ceil(c.slots / 32);
    const recordWords = RECORD_HEADER + 3 * words + (c.index === 0 ? 0 : c.slots);
    const plan = { zone: zoneOf[c.index]!, offsetPages, positions, slabs, words, recordWords, metaBase: metaWords };
    metaWords += slabs * recordWords;
    return plan;
  });
  return {
    zonePages,
    zoneBytes: zonePages * pageSize,
    areaBytes: zonePages * pageSize * n,
    zoneClass: order,
    classes: plans,
    metaWords,
    metaPages: Math.max(1, Math.ceil((metaWords * 4) / pageSize)),
  };
}

/** Position of slab i in its zone. */
export function slabPosition(i: number, guardSlabInterval: number): number {
  return i + Math.floor(i / guardSlabInterval);
}
