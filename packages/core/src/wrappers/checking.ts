/*
 * checking: red zones and a shadow of block sizes around any allocator, so overflow,
 * double free and invalid free are caught whatever the allocator under it detects itself.
 *
 * Layout of one checked block inside the inner allocator's block q:
 *
 *   q                      ptr = q + front                 ptr + size          + redZone
 *   | front zone 0xfa …    | user bytes (size)              | rear zone 0xfb …  | inner slack (unchecked)
 *
 *   front = max(16, alignment) (so ptr keeps q's alignment), rear = `redZone` bytes.
 *
 * Shadow: per live block a slot (columns: ptr, size, inner pointer, front, site) found by the
 * user pointer (`slotOf`) and by the inner pointer (`byInner`, for interior lookups through the
 * inner blockAt). Recent frees sit in a ring (`freeHistory` entries) with their sites, to tell a
 * double free from an invalid one.
 *
 * Invariants: every live slot's zones hold their fill bytes until the program overflows; the
 * wrapper's usable size of a block is its requested size; liveBytes = Σ size = usableBytes; a
 * pointer is in the history only while no live block starts there. Misuse throws before any
 * state changes (zones are verified before the inner free).
 * Not detected: writes into the inner slack past the rear zone, a rear-zone byte overwritten with
 * its own fill value, a double free after the address was handed out again.
 */

import type { Allocator, AllocatorStats, BlockInfo, Inspection, InspectionKind } from '../api.js';
import { AllocatorError, hex, type MisuseCode } from '../errors.js';
import { checkAlignment, checkPointer, checkSize } from '../allocator/validate.js';
import { WrapperBase, type SiteRecorder } from './base.js';
import { SiteTable, siteFor, type SiteMode } from './sites.js';

/** Options of the checking wrapper. */
export interface CheckingOptions {
  /** Bytes of red zone after each block, 1 … 4096. Default 16. */
  redZone: number;
  /** Recent frees remembered to report a double free (0: every bad free is invalid-free). Default 4096. */
  freeHistory: number;
  /** How allocation sites are found: `given` (set by the driver) or `stack` (the JS caller when none is given). Default `stack`. */
  sites: SiteMode;
}

export const CHECKING_DEFAULTS: Readonly<CheckingOptions> = Object.freeze({ redZone: 16, freeHistory: 4096, sites: 'stack' });

const FRONT_FILL = 0xfa;
const REAR_FILL = 0xfb;
const C_MALLOC = 0;
const C_CALLOC = 1;
const C_REALLOC = 2;
const C_MEMALIGN = 3;
const C_FREE = 4;
const C_FAIL = 5;

export class CheckingAllocator extends WrapperBase implements SiteRecorder {
  readonly options: Readonly<CheckingOptions>;
  private readonly counts = new Float64Array(6);
  private readonly sites = new SiteTable();
  private readonly slotOf = new Map<number, number>();
  private readonly byInner = new Map<number, number>();
  private ptrs = new Float64Array(64);
  private sizes = new Float64Array(64);
  private inners = new Float64Array(64);
  private fronts = new Float64Array(64);
  private siteIdx = new Int32Array(64);
  private freeSlots = new Int32Array(64);
  private freeCount = 0;
  private slotCount = 0;
  private liveBytes = 0;
  private zoneBytes = 0;
  // history of recent frees: ring of (ptr, size, alloc site, free site); histAt maps ptr → ring index
  private readonly hPtr: Float64Array;
  private readonly hSize: Float64Array;
  private readonly hAllocSite: Int32Array;
  private readonly hFreeSite: Int32Array;
  private readonly histAt = new Map<number, number>();
  private hNext = 0;

  constructor(inner: Allocator, options: Partial<CheckingOptions> = {}) {
    const o = { ...CHECKING_DEFAULTS, ...options };
    if (!Number.isInteger(o.redZone) || o.redZone < 1 || o.redZone > 4096) throw new TypeError(`checking: option redZone must be an integer 1 … 4096, got ${String(o.redZone)}`);
    if (!Number.isInteger(o.freeHistory) || o.freeHistory < 0) throw new TypeError(`checking: option freeHistory must be a non-negative integer, got ${String(o.freeHistory)}`);
    if (o.sites !== 'given' && o.sites !== 'stack') throw new TypeError(`checking: option sites must be 'given' or 'stack', got ${String(o.sites)}`);
    super(inner, { name: 'checking', description: 'red zones and a shadow of block sizes: overflow, double and invalid free under any allocator', parameters: { ...o } });
    this.options = Object.freeze(o);
    this.hPtr = new Float64Array(o.freeHistory).fill(-1);
    this.hSize = new Float64Array(o.freeHistory);
    this.hAllocSite = new Int32Array(o.freeHistory);
    this.hFreeSite = new Int32Array(o.freeHistory);
  }

  // ---------------------------------------------------------------- shadow

  private newSlot(): number {
    if (this.freeCount > 0) return this.freeSlots[--this.freeCount]!;
    if (this.slotCount === this.ptrs.length) {
      const n = this.ptrs.length * 2;
      const grow = <T extends Float64Array | Int32Array>(a: T): T => {
        const b = new (a.constructor as new (n: number) => T)(n);
        b.set(a);
        return b;
      };
      this.ptrs = grow(this.ptrs);
      this.sizes = grow(this.sizes);
      this.inners = grow(this.inners);
      this.fronts = grow(this.fronts);
      this.siteIdx = grow(this.siteIdx);
      this.freeSlots = grow(this.freeSlots);
    }
    return this.slotCount++;
  }

  private dropSlot(slot: number): void {
    this.slotOf.delete(this.ptrs[slot]!);
    this.byInner.delete(this.inners[slot]!);
    this.liveBytes -= this.sizes[slot]!;
    this.zoneBytes -= this.fronts[slot]! + this.options.redZone;
    this.freeSlots[this.freeCount++] = slot;
  }

  private remember(slot: number, freeSite: number): void {
    const n = this.hPtr.length;
    if (n === 0) return;
    const i = this.hNext;
    this.hNext = (i + 1) % n;
    const old = this.hPtr[i]!;
    if (old >= 0 && this.histAt.get(old) === i) this.histAt.delete(old);
    const ptr = this.ptrs[slot]!;
    this.hPtr[i] = ptr;
    this.hSize[i] = this.sizes[slot]!;
    this.hAllocSite[i] = this.siteIdx[slot]!;
    this.hFreeSite[i] = freeSite;
    this.histAt.set(ptr, i);
  }

  // ---------------------------------------------------------------- messages

  private fail(code: MisuseCode, message: string, address: number): never {
    throw new AllocatorError(code, message, this.identity.label, address);
  }

  /** How a block is named in messages: its pointer, size, site and the allocator holding it. */
  describeBlock(slot: number): string {
    const site = this.sites.name(this.siteIdx[slot]!);
    return `block ${hex(this.ptrs[slot]!)} (${this.sizes[slot]!} bytes${site ? `, allocated at ${site}` : ''}, in ${this.leaf.identity.label})`;
  }

  private badFree(ptr: number, what: string): never {
    const h = this.histAt.get(ptr);
    if (h !== undefined) {
      const a = this.sites.name(this.hAllocSite[h]!);
      const f = this.sites.name(this.hFreeSite[h]!);
      this.fail('double-free', `${what} of ${hex(ptr)}, already freed: block ${hex(ptr)} (${this.hSize[h]!} bytes${a ? `, allocated at ${a}` : ''}${f ? `, freed at ${f}` : ''}, in ${this.leaf.identity.label})`, ptr);
    }
    const inside = this.blockAt(ptr);
    if (inside) {
      this.fail('invalid-free', `${what} of ${hex(ptr)}, ${ptr - inside.base} bytes into ${this.describeBlock(this.slotOf.get(inside.base)!)}`, ptr);
    }
    this.fail('invalid-free', `${what} of ${hex(ptr)}, which is not a block handed out by ${this.identity.label}`, ptr);
  }

  private verifyZones(slot: number, what: string): void {
    const m = this.space.raw;
    const ptr = this.ptrs[slot]!;
    const q = this.inners[slot]!;
    for (let a = q; a < ptr; a++) {
      if (m.u8(a) !== FRONT_FILL) this.fail('canary-corrupted', `${what}: red zone before ${this.describeBlock(slot)} overwritten at ${hex(a)} (${ptr - a} bytes before the start)`, ptr);
    }
    const end = ptr + this.sizes[slot]!;
    const stop = end + this.options.redZone;
    for (let a = end; a < stop; a++) {
      if (m.u8(a) !== REAR_FILL) this.fail('canary-corrupted', `${what}: red zone after ${this.describeBlock(slot)} overwritten at ${hex(a)} (${a - end} bytes past the end)`, ptr);
    }
  }

  // ---------------------------------------------------------------- allocation

  private allocate(size: number, align: number, zero: boolean, site: number): number {
    const front = Math.max(16, align);
    const total = front + size + this.options.redZone;
    if (total > this.space.size) return 0;
    const q = align <= 16 ? (zero ? this.inner.calloc(1, total) : this.inner.malloc(total)) : this.inner.memalign(align, total);
    if (q === 0) return 0;
    const ptr = q + front;
    const m = this.space.raw;
    m.fill(q, front, FRONT_FILL);
    m.fill(ptr + size, this.options.redZone, REAR_FILL);
    const slot = this.newSlot();
    this.ptrs[slot] = ptr;
    this.sizes[slot] = size;
    this.inners[slot] = q;
    this.fronts[slot] = front;
    this.siteIdx[slot] = site;
    this.slotOf.set(ptr, slot);
    this.byInner.set(q, slot);
    this.liveBytes += size;
    this.zoneBytes += front + this.options.redZone;
    const h = this.histAt.get(ptr);
    if (h !== undefined) this.histAt.delete(ptr); // handed out again: a later free is not a double free
    return ptr;
  }

  private site(): number {
    return this.sites.intern(siteFor(this.options.sites));
  }

  override malloc(size: number): number {
    checkSize(size, 'size', this.identity.label);
    this.counts[C_MALLOC]!++;
    const p = this.allocate(size, 16, false, this.site());
    if (p === 0) this.counts[C_FAIL]!++;
    return p;
  }

  override calloc(n: number, size: number): number {
    checkSize(n, 'n', this.identity.label);
    checkSize(size, 'size', this.identity.label);
    this.counts[C_CALLOC]!++;
    const total = n * size;
    const p = Number.isSafeInteger(total) ? this.allocate(total, 16, true, this.site()) : 0;
    if (p === 0) this.counts[C_FAIL]!++;
    return p;
  }

  override memalign(alignment: number, size: number): number {
    checkAlignment(alignment, this.identity.label);
    checkSize(size, 'size', this.identity.label);
    this.counts[C_MEMALIGN]!++;
    const p = this.allocate(size, Math.max(16, alignment), false, this.site());
    if (p === 0) this.counts[C_FAIL]!++;
    return p;
  }

  override free(ptr: number, size?: number): void {
    checkPointer(ptr, this.identity.label);
    if (size !== undefined) checkSize(size, 'size', this.identity.label);
    if (ptr === 0) return;
    const slot = this.slotOf.get(ptr);
    if (slot === undefined) this.badFree(ptr, 'free');
    if (size !== undefined && size !== this.sizes[slot]) this.fail('size-mismatch', `free_sized(${hex(ptr)}, ${size}) of ${this.describeBlock(slot)}`, ptr);
    this.verifyZones(slot, 'free');
    this.release(slot);
    this.counts[C_FREE]!++;
  }

  private release(slot: number): void {
    this.inner.free(this.inners[slot]!);
    this.remember(slot, this.options.freeHistory > 0 ? this.site() : 0);
    this.dropSlot(slot);
  }

  override realloc(ptr: number, size: number): number {
    checkPointer(ptr, this.identity.label);
    checkSize(size, 'size', this.identity.label);
    if (ptr === 0) return this.malloc(size);
    this.counts[C_REALLOC]!++;
    const slot = this.slotOf.get(ptr);
    if (slot === undefined) this.badFree(ptr, 'realloc');
    this.verifyZones(slot, 'realloc');
    if (size === 0) {
      this.release(slot);
      return 0;
    }
    const q = this.allocate(size, 16, false, this.site());
    if (q === 0) {
      this.counts[C_FAIL]!++;
      return 0;
    }
    const keep = Math.min(size, this.sizes[slot]!);
    if (keep > 0) this.space.raw.copy(q, ptr, keep);
    this.release(slot);
    return q;
  }

  override usableSize(ptr: number): number {
    checkPointer(ptr, this.identity.label);
    if (ptr === 0) return 0;
    const slot = this.slotOf.get(ptr);
    if (slot === undefined) this.badFree(ptr, 'usableSize');
    return this.sizes[slot]!;
  }

  /**
   * The inner allocator's inspection seen through this wrapper's blocks: the front and rear red
   * zones are `canary` runs, the requested bytes `live`, the inner slack past the rear zone
   * `slack`, and the block is the one the program holds. Elsewhere the inner answer, unchanged.
   */
  override inspect(addr: number, brief = false): Inspection | undefined {
    const r = super.inspect(addr, brief);
    const b = r === undefined ? null : this.inner.blockAt(addr);
    const slot = b === null ? undefined : this.byInner.get(b.base);
    if (r === undefined || b === null || slot === undefined) return r;
    const ptr = this.ptrs[slot]!;
    const size = this.sizes[slot]!;
    const rear = ptr + size + this.options.redZone;
    const run = (kind: InspectionKind, start: number, end: number, what: string): Inspection => ({ ...r, kind, start, size: end - start, block: { base: ptr, size }, details: [...r.details, ['checking', what]] });
    if (addr < ptr) return run('canary', b.base, ptr, 'front red zone (0xfa), verified at free');
    if (addr < ptr + size) return run('live', ptr, ptr + size, `${size} requested bytes between red zones`);
    if (addr < rear) return run('canary', ptr + size, rear, `rear red zone (0xfb, ${this.options.redZone} bytes), verified at free`);
    return run('slack', rear, b.base + b.size, 'inner slack past the rear zone (not checked)');
  }

  override blockAt(addr: number): BlockInfo | null {
    const b = this.inner.blockAt(addr);
    if (!b) return null;
    const slot = this.byInner.get(b.base);
    if (slot === undefined) return null;
    const ptr = this.ptrs[slot]!;
    const size = this.sizes[slot]!;
    return addr >= ptr && (addr < ptr + size || addr === ptr) ? { base: ptr, size } : null;
  }

  /**
   * Strict object size in the wrapper's own blocks: bytes from ptr to the end of the requested
   * size. A block this wrapper freed is `use-after-free` (its start, while in the free history);
   * an address the inner allocator knows to be freed gets the inner allocator's answer; a red
   * zone, the inner slack or any other address is `invalid-free`.
   */
  override objectSize(ptr: number): number {
    checkPointer(ptr, this.identity.label);
    if (ptr === 0) return 0;
    const b = this.blockAt(ptr);
    if (b) return b.base + b.size - ptr;
    const h = this.histAt.get(ptr);
    if (h !== undefined) this.fail('use-after-free', `objectSize of ${hex(ptr)}, a block already freed (${this.hSize[h]!} bytes, in ${this.leaf.identity.label})`, ptr);
    const inside = this.inner.blockAt(ptr);
    if (inside === null) this.inner.objectSize(ptr); // throws the inner allocator's answer: freed, or never a block
    const slot = inside ? this.byInner.get(inside.base) : undefined;
    this.fail('invalid-free', `objectSize of ${hex(ptr)}, ${slot !== undefined ? `in a red zone or the slack of ${this.describeBlock(slot)}` : 'which is not inside a block handed out by ' + this.identity.label}`, ptr);
  }

  /**
   * Bytes of the shadow outside the space: the slot columns (typed arrays), the two pointer maps,
   * the free history and the site table, over the inner allocator's own.
   */
  private shadowBytes(): number {
    const MAP_ENTRY = 40;
    const columns = this.ptrs.byteLength + this.sizes.byteLength + this.inners.byteLength + this.fronts.byteLength + this.siteIdx.byteLength + this.freeSlots.byteLength;
    const history = this.hPtr.byteLength + this.hSize.byteLength + this.hAllocSite.byteLength + this.hFreeSite.byteLength;
    return columns + history + MAP_ENTRY * (this.slotOf.size + this.byInner.size + this.histAt.size) + this.sites.externalBytes();
  }

  override stats(): AllocatorStats {
    const c = this.counts;
    const inner = this.inner.stats();
    return {
      liveBlocks: this.slotOf.size,
      liveBytes: this.liveBytes,
      usableBytes: this.liveBytes,
      metadataBytes: inner.metadataBytes + this.zoneBytes,
      externalBytes: (inner.externalBytes ?? 0) + this.shadowBytes(),
      calls: { malloc: c[C_MALLOC]!, calloc: c[C_CALLOC]!, realloc: c[C_REALLOC]!, memalign: c[C_MEMALIGN]!, free: c[C_FREE]! },
      failures: c[C_FAIL]!,
    };
  }

  /** Verifies every live block's red zones (canary-corrupted naming the block), then the inner allocator's structures. */
  override check(): void {
    for (const slot of this.slotOf.values()) this.verifyZones(slot, 'check');
    this.inner.check();
  }

  siteOf(ptr: number): string | null {
    const slot = this.slotOf.get(ptr);
    return slot === undefined ? null : this.sites.name(this.siteIdx[slot]!);
  }

  *liveBlocks(): Iterable<{ ptr: number; size: number; site: string | null }> {
    for (const slot of this.slotOf.values()) yield { ptr: this.ptrs[slot]!, size: this.sizes[slot]!, site: this.sites.name(this.siteIdx[slot]!) };
  }
}

/** Wraps an allocator with red zones and a shadow of block sizes. */
export function createCheckingAllocator(inner: Allocator, options: Partial<CheckingOptions> = {}): CheckingAllocator {
  return new CheckingAllocator(inner, options);
}
