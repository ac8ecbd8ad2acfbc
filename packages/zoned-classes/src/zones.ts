/*
 * Zones: the state of the zoned-classes allocator and the life of its slabs; ZonedAllocator
 * (zoned.ts) builds malloc, free and the contract on it.
 *
 * - Construction: the size classes (size-classes.ts) and the zone plan (layout.ts); the metadata
 *   mapping (reserved PROT_NONE, made writable as records are needed); one PROT_NONE zone per
 *   class, all in one area at a random base; the state mapping (state.ts) with the slab-list
 *   heads, the quarantines, the large holes and a page table of the layout (pageSlab, written
 *   slab by slab as slabs are first used) so a pointer is located with one multiplication. All
 *   mutable state is in the space; what stays in JavaScript are the tables computed from the
 *   options (sizes, offsets, the request → class map), reported as externalBytes.
 * - Slabs: never used → partial ⇄ full; partial → empty (kept writable while the class's empty
 *   slabs total ≤ emptySlabCacheBytes) or decommitted (remapped PROT_NONE, held in a random array
 *   of freeSlabsQuarantineRandomLength slabs, then reused first-in first-out). A slab is made
 *   writable (mprotect) when taken from the never-used or decommitted ones; its canary values are
 *   drawn then and its dirty bitmap cleared. Class 0's slabs are never made accessible.
 * - When a zone is full: the free-slab quarantine is emptied, then the slot quarantine, and the
 *   lists are tried again.
 *
 * Invariants (checked by check.ts): per slab live = |used bits|, held = |quarantine bits|,
 * used ∧ quarantine = 0, used ∨ quarantine ⊆ dirty; partial ⇔ 0 < live + held < slots and on
 * the partial list; full ⇔ live + held = slots; empty / decommitted ⇔ live + held = 0 and on that
 * list (or, decommitted, in the free-slab quarantine); counters = sums.
 */

import { AllocatorBase, createIdentity, MAP_FIXED, MAP_FIXED_NOREPLACE, PROT_NONE, PROT_READ, PROT_WRITE, ConfigError, KernelError, hex, type AddressSpace, type RawMemory } from '@heaplab/core';
import type { ZonedInit, ZonedOptions } from './api.js';
import { LargeRegions } from './large.js';
import { RECORD_HEADER, R_ADDR, R_CANARY0, R_CANARY1, R_HELD, R_HINT, R_LIVE, R_NEXT, R_PREV, R_STATE, S_DECOMMITTED, S_EMPTY, S_FULL, S_NEVER, S_PARTIAL, planZones, type ZonePlan } from './layout.js';
import { resolveOptions } from './options.js';
import { Quarantine } from './quarantine.js';
import { HOLES_CAPACITY } from './large-holes.js';
import { StateLayout, mapState } from './state.js';
import { Random } from './random.js';
import { largestClass, sizeClassTable, type SizeClass } from './size-classes.js';
import { Zero } from './zero.js';

const RW = PROT_READ | PROT_WRITE;
/** classOfUnits value for requests served as large regions. */
export const LARGE = 255;

export abstract class Zones extends AllocatorBase {
  readonly options: Readonly<ZonedOptions>;
  readonly classes: readonly SizeClass[];
  readonly plan: ZonePlan;
  /** @internal the generator of every random choice. */
  readonly rng: Random;
  /** @internal per-class figures as typed arrays (index = class). */
  readonly slotSize: Int32Array;
  readonly usableOf: Int32Array;
  readonly slotsOf: Int32Array;
  readonly wordsOf: Int32Array;
  readonly recordOf: Int32Array;
  /** @internal first word of each class's records (words, may pass 2^31 in a large space). */
  readonly metaBase: Float64Array;
  readonly slabCount: Int32Array;
  readonly positionsOf: Int32Array;
  readonly slabBytes: Float64Array;
  readonly slabStart: Float64Array;
  readonly lastMask: Int32Array;
  /** @internal 1 / slot size: the slot index is ⌊offset · inverse + 2^-20⌋ (exact for offsets < 2^22). */
  protected readonly inverse: Float64Array;
  /** @internal per-class slab lists and the next never-used slab: views of the state mapping. */
  nextFresh!: Int32Array;
  partialHead!: Int32Array;
  emptyHead!: Int32Array;
  emptyCount!: Int32Array;
  freeHead!: Int32Array;
  freeTail!: Int32Array;
  /** @internal per-class slot quarantines. */
  readonly quarantines: Quarantine[];
  /** @internal per-class quarantines of decommitted slabs (entries: slab index + 1). */
  readonly slabQuarantines: Quarantine[];
  /** @internal request size in 16-byte units (canary included) → class, LARGE past the classes. */
  protected readonly classOfUnits: Uint8Array;
  protected readonly maxSlot: number;
  readonly canary: number;
  readonly guardInterval: number;
  protected readonly randomize: boolean;
  protected readonly wafCheck: boolean;
  protected readonly zeroFree: boolean;
  protected readonly quarantined: boolean;
  protected readonly emptySlabCacheBytes: number;
  readonly areaBase: number;
  readonly areaEnd: number;
  readonly zoneBytes: number;
  readonly zoneClass: Uint8Array;
  /**
   * @internal per page of the area, a view of the state mapping: ((slab index << 8) | class) + 1
   * for the pages of a slab used at least once, 0 for the rest (zones' offsets, tails, guard
   * slabs, slabs never used). The layout as a table, so locating a pointer takes one division
   * (by the slot size) instead of five; written as slabs are first used, so it is resident only
   * where the zones are.
   */
  pageSlab!: Int32Array;
  /** @internal the state mapping (state.ts): its address, size and the offsets of its arrays. */
  readonly stateAddr: number;
  readonly stateBytes: number;
  /** @internal the state's own buffer in a paged space (null: the state mapping in the space). */
  readonly stateBuffer: ArrayBuffer | null;
  private readonly stateAt: { heads: number; committed: number; pages: number; quarantines: number[][]; slabQuarantines: number[][]; region: number[]; holes: number[] };
  /** Bytes of the tables kept in JavaScript (computed from the options; no state): externalBytes. */
  protected readonly tableBytes: number;
  protected readonly shift: number;
  /** @internal the metadata mapping: word k of the slab records is at metaAddr + 4k (mr, mw). */
  readonly metaAddr: number;
  /** @internal the space's memory, through which slots, canaries and slab records are read and written. */
  readonly mem: RawMemory;
  /** @internal a view of the slab records in a flat space (the fast path of mr and mw); empty in a paged one. */
  metaView: Int32Array = new Int32Array(0);
  /** @internal true when the space is paged (above 4 GiB): the state is held outside the space and pointers are located by arithmetic. */
  readonly wide: boolean;
  /** @internal per class: bytes of the metadata mapping made writable, from its first record's page (a view of the state mapping). */
  metaCommitted!: Float64Array;
  readonly large: LargeRegions;
  readonly zero: Zero;
  /** @internal per class: small requests that failed because the class's zone was full (zoneDiagnostics). */
  readonly zoneFull: Float64Array;
  /** @internal small-block counters. */
  smallBlocks = 0;
  smallBytes = 0;
  smallUsable = 0;
  // Results of locate(), in fields so the hot path makes no object.
  protected lc = 0;
  protected li = 0;
  protected lj = 0;
  protected lrec = 0;
  protected lslot = 0;

  constructor(space: AddressSpace, init: ZonedInit = {}) {
    const o = resolveOptions(init);
    const identity = createIdentity({
      name: 'zoned-classes',
      family: 'zoned-size-classes',
      parameters: { preset: init.preset ?? 'default', ...o },
      description: "hardened_malloc's design: a PROT_NONE zone per size class, out-of-band metadata, guard slabs, canaries, quarantines",
    });
    // The base class names the allocator (identity.label) in every argument check; the label is a
    // getter that builds a string, so it is pinned once here to keep malloc and free allocation-free.
    Object.defineProperty(identity, 'label', { value: identity.label, enumerable: false });
    super(space, identity);
    this.options = o;
    this.rng = new Random(o.seed);
    this.canary = o.slabCanary ? 8 : 0;
    this.guardInterval = o.guardSlabInterval;
    this.randomize = o.slotRandomize;
    this.wafCheck = o.writeAfterFreeCheck;
    this.zeroFree = o.zeroOnFree;
    this.quarantined = o.slabQuarantineRandomLength + o.slabQuarantineQueueLength > 0;
    this.emptySlabCacheBytes = o.emptySlabCacheBytes;
    const ps = space.pageSize;
    this.mem = space.raw;
    this.wide = space.raw.kind !== 'flat';
    this.classes = sizeClassTable({ extended: o.extendedSizeClasses, pageSize: ps, canary: this.canary });
    const n = this.classes.length;
    this.plan = planZones(space.size, ps, this.classes, o.zoneShare, o.guardSlabInterval, this.rng);
    const plan = this.plan;
    if (plan.classes[0]!.slabs === 0) throw new ConfigError('zoneShare', 'zoned-classes options', `a share of the ${space.size}-byte space that gives each of the ${n} zones at least a few pages (got ${plan.zonePages} pages per zone)`);
    const i32 = (f: (c: SizeClass, k: number) => number): Int32Array => Int32Array.from(this.classes, f);
    this.slotSize = i32((c) => c.slotSize);
    this.usableOf = i32((c) => c.usable);
    this.slotsOf = i32((c) => c.slots);
    this.wordsOf = i32((_, k) => plan.classes[k]!.words);
    this.recordOf = i32((_, k) => plan.classes[k]!.recordWords);
    this.metaBase = Float64Array.from(this.classes, (_, k) => plan.classes[k]!.metaBase);
    this.slabCount = i32((_, k) => plan.classes[k]!.slabs);
    this.positionsOf = i32((_, k) => plan.classes[k]!.positions);
    this.slabBytes = Float64Array.from(this.classes, (c) => c.slabPages * ps);
    this.inverse = Float64Array.from(this.classes, (c) => 1 / c.slotSize);
    this.lastMask = i32((c) => (c.slots % 32 === 0 ? -1 : (1 << c.slots % 32) - 1));
    // hardened_malloc's quarantine_shift: each halving of the slot size doubles the class's
    // quarantine, so every class holds about the same number of bytes.
    const topShift = Math.log2(largestClass(o.extendedSizeClasses));
    this.quarantines = this.classes.map((c) => {
      const shift = topShift - Math.floor(Math.log2(c.slotSize));
      return new Quarantine(o.slabQuarantineRandomLength * 2 ** shift, o.slabQuarantineQueueLength * 2 ** shift);
    });
    this.slabQuarantines = this.classes.map(() => new Quarantine(o.freeSlabsQuarantineRandomLength, 0));
    this.zoneClass = Uint8Array.from(plan.zoneClass);
    this.zoneFull = new Float64Array(n);

    // Requests (canary included) → class; classes whose zone holds no slab go to the large path.
    this.maxSlot = largestClass(o.extendedSizeClasses);
    this.classOfUnits = new Uint8Array(this.maxSlot / 16 + 1).fill(LARGE);
    for (let u = 1, c = 1; u <= this.maxSlot / 16; u++) {
      while (this.classes[c]!.slotSize < u * 16) c++;
      let d = c;
      while (d < n && this.slabCount[d] === 0) d++;
      this.classOfUnits[u] = d < n ? d : LARGE;
    }

    // The metadata mapping, reserved PROT_NONE between two guard pages and made writable as each
    // class's records are first needed (commitMeta); then the zones.
    const metaBytes = plan.metaPages * ps;
    const m = this.map(0, metaBytes + 2 * ps, 0);
    this.metaAddr = m + ps;
    if (!this.wide) {
      this.metaView = new Int32Array(space.buffer, this.metaAddr, plan.metaWords);
      space.onRefresh((s) => (this.metaView = new Int32Array(s.buffer, this.metaAddr, plan.metaWords)));
    }
    this.zoneBytes = plan.zoneBytes;
    this.areaBase = this.placeArea(plan.areaBytes);
    this.areaEnd = this.areaBase + plan.areaBytes;
    this.slabStart = new Float64Array(n);
    for (let z = 0; z < n; z++) {
      const c = plan.zoneClass[z]!;
      const zone = this.areaBase + z * plan.zoneBytes;
      this.map(zone, plan.zoneBytes, MAP_FIXED);
      this.slabStart[c] = zone + plan.classes[c]!.offsetPages * ps;
    }
    this.shift = space.pageShift;
    this.large = new LargeRegions(space, this.identity, this.ownerIndex, o, this.rng);
    this.zero = new Zero(space);

    // The state mapping: list heads, metaCommitted, the page table, the quarantines, the holes.
    const L = new StateLayout();
    const pair = (q: Quarantine): number[] => [L.add(4, q.randomLength), L.add(4, q.queueLength)];
    this.stateAt = {
      heads: L.add(4, 6 * n),
      committed: L.add(8, n),
      pages: L.add(4, this.wide ? 0 : plan.areaBytes / ps),
      quarantines: this.quarantines.map(pair),
      slabQuarantines: this.slabQuarantines.map(pair),
      region: pair(this.large.quarantine),
      holes: [L.add(4, HOLES_CAPACITY), L.add(4, HOLES_CAPACITY)],
    };
    this.stateBytes = L.bytes;
    // A paged space has no buffer to view: there the state is a buffer of its own (externalBytes).
    this.stateAddr = this.wide ? 0 : mapState(space, this.identity, L.bytes);
    this.stateBuffer = this.wide ? new ArrayBuffer(L.bytes) : null;
    this.bindState();
    space.onRefresh(() => this.bindState());
    this.partialHead.fill(-1);
    this.emptyHead.fill(-1);
    this.freeHead.fill(-1);
    this.freeTail.fill(-1);

    const typed = [this.zoneFull, this.slotSize, this.usableOf, this.slotsOf, this.wordsOf, this.recordOf, this.metaBase, this.slabCount, this.positionsOf, this.slabBytes, this.slabStart, this.lastMask, this.inverse, this.classOfUnits, this.zoneClass];
    // The typed tables, and about 64 bytes for each SizeClass and ClassPlan object.
    this.tableBytes = typed.reduce((sum, t) => sum + t.byteLength, 0) + 2 * 64 * n;
  }

  /** (Re)makes every view of the state mapping: at construction and when the space's buffer changes. */
  private bindState(): void {
    const b = this.stateBuffer ?? this.space.buffer;
    const at = this.stateAddr;
    const n = this.classes.length;
    const s = this.stateAt;
    const heads = (f: number): Int32Array => new Int32Array(b, at + s.heads + 4 * f * n, n);
    this.nextFresh = heads(0);
    this.partialHead = heads(1);
    this.emptyHead = heads(2);
    this.emptyCount = heads(3);
    this.freeHead = heads(4);
    this.freeTail = heads(5);
    this.metaCommitted = new Float64Array(b, at + s.committed, n);
    this.pageSlab = new Int32Array(b, at + s.pages, this.wide ? 0 : this.plan.areaBytes / this.space.pageSize);
    // Cells hold addresses: 32 bits in a flat space, float64 in a paged one (held outside it).
    const bind = (q: Quarantine, [r, f]: number[]): void => q.bind(
      this.wide ? new Float64Array(q.randomLength) : new Uint32Array(b, at + r!, q.randomLength),
      this.wide ? new Float64Array(q.queueLength) : new Uint32Array(b, at + f!, q.queueLength));
    this.quarantines.forEach((q, c) => bind(q, s.quarantines[c]!));
    this.slabQuarantines.forEach((q, c) => bind(q, s.slabQuarantines[c]!));
    bind(this.large.quarantine, s.region);
    if (!this.wide) this.large.holes.bind(new Uint32Array(b, at + s.holes[0]!, HOLES_CAPACITY), new Uint32Array(b, at + s.holes[1]!, HOLES_CAPACITY));
    this.large.table.rebind();
  }

  /** Writes slab i of class c into the page table, when it is first used. */
  protected notePageSlab(c: number, i: number): void {
    if (this.wide) return; // located by arithmetic (locate)
    const ps = this.space.pageSize;
    const pages = this.slabBytes[c]! / ps;
    const at = (this.slabStart[c]! - this.areaBase) / ps + (i + Math.floor(i / this.guardInterval)) * pages;
    this.pageSlab.fill(((i << 8) | c) + 1, at, at + pages);
  }

  protected map(addr: number, len: number, flags: number): number {
    try {
      return this.space.mmap(addr, len, PROT_NONE, flags, this.identity);
    } catch (e) {
      if (e instanceof KernelError) throw new ConfigError('zoneShare', 'zoned-classes options', `a share whose zones and metadata fit in the space (${e.message})`);
      throw e;
    }
  }

  /** A random page-aligned base whose whole range is unmapped, away from the program break; else where mmap puts it. */
  protected placeArea(bytes: number): number {
    const space = this.space;
    const ps = space.pageSize;
    const low = Math.ceil((space.startBrk + space.size / 16) / ps);
    const high = Math.floor((space.size - bytes) / ps) - 1;
    if (this.wide && high > low) {
      // A paged space is sparse: ask the kernel whether the range is free in one call.
      for (let attempt = 0; attempt < 8; attempt++) {
        const at = (low + this.rng.below(high - low + 1)) * ps;
        try {
          space.mmap(at, bytes, PROT_NONE, MAP_FIXED_NOREPLACE, this.identity);
        } catch (e) {
          if (e instanceof KernelError) continue;
          throw e;
        }
        space.munmap(at, bytes);
        return at;
      }
    }
    for (let attempt = 0; attempt < 8 && high > low; attempt++) {
      const p = low + this.rng.below(high - low + 1);
      let free = true;
      for (let q = p; q < p + bytes / ps && free; q++) free = space.protAt(q * ps) === -1;
      if (free) return p * ps;
    }
    const at = this.map(0, bytes, 0);
    space.munmap(at, bytes);
    return at;
  }

  // ------------------------------------------------------------------ locating

  /** @internal word k of the slab records: through the flat view, else the space's raw memory. */
  mr(k: number): number {
    const v = this.metaView;
    return v.length !== 0 ? v[k]! : this.mem.i32(this.metaAddr + 4 * k);
  }

  /** @internal sets word k of the slab records. */
  mw(k: number, x: number): void {
    const v = this.metaView;
    if (v.length !== 0) v[k] = x;
    else this.mem.setI32(this.metaAddr + 4 * k, x);
  }

  /** @internal address of slab i of class c (record rec): the record's address word (32 bits) in a flat space, computed in a paged one. */
  slabBase(c: number, i: number, rec: number): number {
    return this.wide ? this.slabAddr(c, i) : this.mr(rec + R_ADDR) >>> 0;
  }

  /** Address of slab i of class c. */
  slabAddr(c: number, i: number): number {
    return this.slabStart[c]! + (i + Math.floor(i / this.guardInterval)) * this.slabBytes[c]!;
  }

  /**
   * Finds the slot holding addr: sets lc, li, lj, lrec, lslot and returns true, or false when
   * addr is in no used slab's slots (outside the area, in a zone's offset or tail, a guard slab,
   * a slab never used or decommitted, the slab's unused end).
   */
  protected locate(addr: number): boolean {
    if (addr < this.areaBase || addr >= this.areaEnd) return false;
    let c = 0;
    let i = 0;
    if (this.wide) {
      // zone → class, then the slab position in the zone; guard positions hold no slab.
      c = this.zoneClass[Math.floor((addr - this.areaBase) / this.zoneBytes)]!;
      const off = addr - this.slabStart[c]!;
      if (off < 0) return false;
      const pos = Math.floor(off / this.slabBytes[c]!);
      const g = this.guardInterval + 1;
      if (pos % g === this.guardInterval || pos >= this.positionsOf[c]!) return false;
      i = pos - Math.floor(pos / g);
    } else {
      const e = this.pageSlab[(addr - this.areaBase) >>> this.shift]! - 1;
      if (e < 0) return false;
      c = e & 0xff;
      i = e >>> 8;
    }
    if (i >= this.nextFresh[c]!) return false; // its record was never written (and may not be mapped writable)
    const rec = this.metaBase[c]! + i * this.recordOf[c]!;
    const st = this.mr(rec + R_STATE);
    if (st === S_NEVER || st === S_DECOMMITTED) return false;
    const s = this.slotSize[c]!;
    const base = this.slabBase(c, i, rec);
    const j = Math.floor((addr - base) * this.inverse[c]! + 9.5367431640625e-7);
    if (j >= this.slotsOf[c]!) return false;
    this.lc = c;
    this.li = i;
    this.lj = j;
    this.lrec = rec;
    this.lslot = base + j * s;
    return true;
  }

  /** True when slot lj of record lrec (after locate) is allocated. */
  protected locatedLive(): boolean {
    return (this.mr(this.lrec + RECORD_HEADER + (this.lj >>> 5)) & (1 << (this.lj & 31))) !== 0;
  }

  /** @internal class and slab of the last slotOf() answer. */
  slotClass = 0;
  slotSlab = 0;

  /** @internal for check(): index of the slot starting at ptr (class and slab in slotClass, slotSlab), or −1. */
  slotOf(ptr: number): number {
    if (!this.locate(ptr) || this.lslot !== ptr) return -1;
    this.slotClass = this.lc;
    this.slotSlab = this.li;
    return this.lj;
  }


  // ------------------------------------------------------------------ slabs

  /** A slab with a free slot for class c, now on the partial list, or −1 when the zone is full. */
  protected takeSlab(c: number): number {
    const R = this.recordOf[c]!;
    let i = this.emptyHead[c]!;
    if (i >= 0) {
      const rec = this.metaBase[c]! + i * R;
      this.emptyHead[c] = this.mr(rec + R_NEXT);
      this.emptyCount[c]!--;
      this.linkPartial(c, i, rec);
      return i;
    }
    if (this.freeHead[c]! < 0 && this.nextFresh[c]! >= this.slabCount[c]!) {
      // The zone is full: first the decommitted slabs still in their quarantine, then the slots
      // the slot quarantine holds; then try the lists again.
      const slabs = this.slabQuarantines[c]!.drain();
      if (slabs.length > 0) {
        for (const k of slabs) this.enqueueFree(c, k - 1);
        return this.takeSlab(c);
      }
      const held = this.quarantines[c]!.drain();
      if (held.length === 0) return -1;
      for (const ptr of held) this.releaseHeld(ptr);
      return this.partialHead[c]! >= 0 ? this.partialHead[c]! : this.takeSlab(c);
    }
    if (this.options.writeAfterFreeCheck && c !== 0) this.checkQuarantined(c);
    i = this.freeHead[c]!;
    if (i >= 0) {
      this.freeHead[c] = this.mr(this.metaBase[c]! + i * R + R_NEXT);
      if (this.freeHead[c]! < 0) this.freeTail[c] = -1;
    } else {
      this.commitMeta(c, this.nextFresh[c]! + 1);
      i = this.nextFresh[c]!++;
      this.notePageSlab(c, i);
    }
    const rec = this.metaBase[c]! + i * R;
    this.mw(rec + R_ADDR, this.slabAddr(c, i));
    this.mem.fill(this.metaAddr + 4 * (rec + RECORD_HEADER + 2 * this.wordsOf[c]!), 4 * this.wordsOf[c]!, 0); // nothing handed out yet
    if (c !== 0) this.space.mprotect(this.slabAddr(c, i), this.slabBytes[c]!, RW);
    this.mw(rec + R_CANARY0, this.rng.next() & ~0xff); // first byte 0 stops string over-reads, as hardened_malloc
    this.mw(rec + R_CANARY1, this.rng.next() | 0);
    this.linkPartial(c, i, rec);
    return i;
  }

  /**
   * Makes the records of class c's first `slabs` slabs writable, 16 KiB at a time (hardened_malloc
   * grows its metadata the same way), so committed metadata follows use, not the zone's size.
   */
  protected commitMeta(c: number, slabs: number): void {
    const ps = this.space.pageSize;
    const start = this.metaAddr + Math.floor((this.metaBase[c]! * 4) / ps) * ps;
    const need = this.metaAddr + (this.metaBase[c]! + slabs * this.recordOf[c]!) * 4;
    const done = start + this.metaCommitted[c]!;
    if (need <= done) return;
    const classEnd = Math.ceil((this.metaAddr + (this.metaBase[c]! + this.slabCount[c]! * this.recordOf[c]!) * 4) / ps) * ps;
    const to = Math.min(classEnd, Math.ceil(Math.max(need, done + 16384) / ps) * ps);
    this.space.mprotect(done, to - done, RW);
    this.metaCommitted[c] = to - start;
  }

  /** Write-after-free check of every quarantined slot of class c (when the class grows). */
  protected checkQuarantined(c: number): void {
    const q = this.quarantines[c]!;
    this.checkCells(c, q.random);
    this.checkCells(c, q.ring);
  }

  private checkCells(c: number, cells: Uint32Array | Float64Array): void {
    const usable = this.usableOf[c]!;
    for (let k = 0; k < cells.length; k++) {
      const ptr = cells[k]!;
      if (ptr !== 0 && !this.zero.isZero(ptr, usable)) this.misuse('write-after-free', `detected write after free: the quarantined ${this.slotSize[c]}-byte slot ${hex(ptr)} was written after it was freed`, ptr);
    }
  }

  protected linkPartial(c: number, i: number, rec: number): void {
    const head = this.partialHead[c]!;
    this.mw(rec + R_STATE, S_PARTIAL);
    this.mw(rec + R_NEXT, head);
    this.mw(rec + R_PREV, -1);
    if (head >= 0) this.mw(this.metaBase[c]! + head * this.recordOf[c]! + R_PREV, i);
    this.partialHead[c] = i;
  }

  protected unlinkPartial(c: number, i: number, rec: number): void {
    const next = this.mr(rec + R_NEXT);
    const prev = this.mr(rec + R_PREV);
    if (prev >= 0) this.mw(this.metaBase[c]! + prev * this.recordOf[c]! + R_NEXT, next);
    else this.partialHead[c] = next;
    if (next >= 0) this.mw(this.metaBase[c]! + next * this.recordOf[c]! + R_PREV, prev);
    this.mw(rec + R_NEXT, -1);
    this.mw(rec + R_PREV, -1);
  }

  /** A slot leaves the quarantine and becomes free. */
  protected releaseHeld(ptr: number): void {
    if (!this.locate(ptr)) throw new Error(`zoned-classes: quarantined ${hex(ptr)} is in no slab`);
    const rec = this.lrec;
    this.mw(rec + RECORD_HEADER + this.wordsOf[this.lc]! + (this.lj >>> 5), this.mr(rec + RECORD_HEADER + this.wordsOf[this.lc]! + (this.lj >>> 5)) & (~(1 << (this.lj & 31))));
    this.mw(rec + R_HELD, this.mr(rec + R_HELD) - 1);
    this.slotFreed(this.lc, this.li, rec, this.lj);
  }

  /** After a slot became free: full → partial, or → empty / decommitted when nothing is left in it. */
  protected slotFreed(c: number, i: number, rec: number, j: number): void {
    if (this.mr(rec + R_HINT) > j >>> 5) this.mw(rec + R_HINT, j >>> 5);
    const st = this.mr(rec + R_STATE);
    if (this.mr(rec + R_LIVE) + this.mr(rec + R_HELD) > 0) {
      if (st === S_FULL) this.linkPartial(c, i, rec);
      return;
    }
    if (st === S_PARTIAL) this.unlinkPartial(c, i, rec);
    const sb = this.slabBytes[c]!;
    if (!this.decommitsWhenEmpty(c)) {
      this.mw(rec + R_STATE, S_EMPTY);
      this.mw(rec + R_NEXT, this.emptyHead[c]!);
      this.emptyHead[c] = i;
      this.emptyCount[c]!++;
      return;
    }
    // Decommit: a fresh PROT_NONE mapping over the slab gives its pages back; reuse it last.
    this.space.mmap(this.slabAddr(c, i), sb, PROT_NONE, MAP_FIXED, this.identity);
    this.mw(rec + R_STATE, S_DECOMMITTED);
    this.mw(rec + R_NEXT, -1);
    const q = this.slabQuarantines[c]!;
    if (q.disabled) return this.enqueueFree(c, i);
    const out = q.push(i + 1, this.rng);
    if (out !== 0) this.enqueueFree(c, out - 1);
  }

  /** True when a slab of class c that empties now is decommitted (class 0's never are: they stay in the empty list). */
  protected decommitsWhenEmpty(c: number): boolean {
    return c !== 0 && (this.emptyCount[c]! + 1) * this.slabBytes[c]! > this.emptySlabCacheBytes;
  }

  /** Appends decommitted slab i to the class's reuse list (first in, first out). */
  protected enqueueFree(c: number, i: number): void {
    this.mw(this.metaBase[c]! + i * this.recordOf[c]! + R_NEXT, -1);
    if (this.freeTail[c]! >= 0) this.mw(this.metaBase[c]! + this.freeTail[c]! * this.recordOf[c]! + R_NEXT, i);
    else this.freeHead[c] = i;
    this.freeTail[c] = i;
  }

}
