/*
 * Options of the zoned-classes allocator (hardened_malloc's design), their defaults and the two
 * presets. Types and data only; validation lives in options.ts.
 *
 * The presets follow hardened_malloc's config/default.mk and config/light.mk: light turns off the
 * write-after-free check, slot randomization and the slab quarantine, and puts a guard slab after
 * every 8 slabs instead of after every slab. Options marked "heaplab" have no hardened_malloc
 * counterpart: they scale the design down to a simulated space of at most 4 GiB.
 *
 * Dependency (checked by name): writeAfterFreeCheck requires zeroOnFree.
 */

/** Options of `createZonedAllocator`. */
export interface ZonedOptions {
  /** Zero every slot when it is freed (CONFIG_ZERO_ON_FREE). Default true; light true. */
  zeroOnFree: boolean;
  /**
   * When a slot is handed out again, check that it is still all zero, so a write after free is
   * reported as `write-after-free` (CONFIG_WRITE_AFTER_FREE_CHECK). Requires zeroOnFree.
   * Quarantined slots are also checked whenever their class commits a new slab. Default true; light false.
   */
  writeAfterFreeCheck: boolean;
  /** Pick a random free slot of the slab instead of the first one (CONFIG_SLOT_RANDOMIZE). Default true; light false. */
  slotRandomize: boolean;
  /**
   * Put an 8-byte canary at the end of every slot, written on allocation and checked on free
   * (`canary-corrupted`). The canary is not part of the usable size (CONFIG_SLAB_CANARY).
   * Default true; light true.
   */
  slabCanary: boolean;
  /**
   * Length of the random-array slot quarantine of the largest class (CONFIG_SLAB_QUARANTINE_RANDOM_LENGTH);
   * as in hardened_malloc, each halving of the slot size doubles it (the 16-byte class holds
   * 8,192× this many slots with extended classes). Default 1; light 0.
   */
  slabQuarantineRandomLength: number;
  /** Length of the FIFO slot quarantine of the largest class, scaled the same way (CONFIG_SLAB_QUARANTINE_QUEUE_LENGTH). Default 1; light 0. */
  slabQuarantineQueueLength: number;
  /** Size classes beyond 16 KiB, up to 128 KiB (CONFIG_EXTENDED_SIZE_CLASSES). Default true; light true. */
  extendedSizeClasses: boolean;
  /**
   * Round large requests up to four size classes per doubling (160, 192, 224, 256 KiB, …) before
   * mapping them (CONFIG_LARGE_SIZE_CLASSES); off: to whole pages. Default true; light true.
   */
  largeSizeClasses: boolean;
  /** A guard slab (never accessible) after every this many slabs (CONFIG_GUARD_SLABS_INTERVAL). Default 1; light 8. */
  guardSlabInterval: number;
  /**
   * Each large allocation gets a guard of a random number of pages, 1 … ⌊data pages / divisor⌋,
   * before and after it (CONFIG_GUARD_SIZE_DIVISOR). Default 2; light 2.
   */
  guardSizeDivisor: number;
  /** Length of the random-array quarantine of freed large regions (CONFIG_REGION_QUARANTINE_RANDOM_LENGTH). Default 256. */
  regionQuarantineRandomLength: number;
  /** Length of the FIFO quarantine of freed large regions (CONFIG_REGION_QUARANTINE_QUEUE_LENGTH). Default 1024. */
  regionQuarantineQueueLength: number;
  /** Large regions of at least this many bytes skip the quarantine (CONFIG_REGION_QUARANTINE_SKIP_THRESHOLD). Default 32 MiB. */
  regionQuarantineSkipThreshold: number;
  /**
   * Bytes of empty slabs a class keeps writable for reuse; past this, an empty slab is
   * decommitted (remapped PROT_NONE, its pages given back) (hardened_malloc's max_empty_slabs_total:
   * the largest class's size, 128 KiB with extended classes, 64 KiB without). Default 128 KiB.
   */
  emptySlabCacheBytes: number;
  /**
   * A decommitted slab waits in a random array of this many slabs before it joins the first-in
   * first-out list of slabs to reuse, so the address range of a freed slab comes back late and
   * at an unpredictable time (CONFIG_FREE_SLABS_QUARANTINE_RANDOM_LENGTH). Default 32; light 32.
   */
  freeSlabsQuarantineRandomLength: number;
  /**
   * heaplab: fraction of the address space reserved for the zones, shared equally by the size
   * classes, in a space of at most 4 GiB. The rest is left to large allocations and other
   * mappings, as Felker suggests. In a larger space each class gets hardened_malloc's 32 GiB
   * region (CONFIG_CLASS_REGION_SIZE) when this share allows it. 0 < zoneShare < 1. Default 0.5.
   */
  zoneShare: number;
  /** heaplab: seed of the generator behind slot choice, canaries, zone placement and quarantine (not cryptographic). Default 1. */
  seed: number;
}

/** A preset name. */
export type PresetName = 'default' | 'light';

/** What `createZonedAllocator` accepts: a preset (default `default`) and options over it. */
export type ZonedInit = Partial<ZonedOptions> & { preset?: PresetName };

const MiB = 2 ** 20;

/** hardened_malloc's config/default.mk, as data. */
const DEFAULT_PRESET: Readonly<ZonedOptions> = Object.freeze({
  zeroOnFree: true,
  writeAfterFreeCheck: true,
  slotRandomize: true,
  slabCanary: true,
  slabQuarantineRandomLength: 1,
  slabQuarantineQueueLength: 1,
  extendedSizeClasses: true,
  largeSizeClasses: true,
  guardSlabInterval: 1,
  guardSizeDivisor: 2,
  regionQuarantineRandomLength: 256,
  regionQuarantineQueueLength: 1024,
  regionQuarantineSkipThreshold: 32 * MiB,
  emptySlabCacheBytes: 128 * 1024,
  freeSlabsQuarantineRandomLength: 32,
  zoneShare: 0.5,
  seed: 1,
});

/** hardened_malloc's config/light.mk, as data: of the options modelled here, five differ from default. */
const LIGHT_PRESET: Readonly<ZonedOptions> = Object.freeze({
  ...DEFAULT_PRESET,
  writeAfterFreeCheck: false,
  slotRandomize: false,
  slabQuarantineRandomLength: 0,
  slabQuarantineQueueLength: 0,
  guardSlabInterval: 8,
});

/** The presets, as data. */
export const PRESETS: Readonly<Record<PresetName, Readonly<ZonedOptions>>> = Object.freeze({
  default: DEFAULT_PRESET,
  light: LIGHT_PRESET,
});

/** The defaults: the `default` preset. */
export const DEFAULT_OPTIONS: Readonly<ZonedOptions> = DEFAULT_PRESET;
