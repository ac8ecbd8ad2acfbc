/*
 * The table of large regions, keyed by the block's address: open addressing with linear probing
 * over parallel typed arrays (no JS object per block).
 *
 * Layout: capacity 2^bits slots; keys[k] is 0 (empty), 1 (tombstone: addresses are page-aligned,
 * so 1 is never a key) or a block address; dataPages, guardBefore, guardAfter, requested and
 * quarantined hold the entry's values at the same k.
 *
 * A freed region stays in the table, marked quarantined, while it sits in the region quarantine
 * (its pages PROT_NONE): a second free of it is then a `double-free` found in one probe.
 *
 * Storage: with a TableStorage (zoned-classes gives one) the arrays are views of one writable
 * mapping in the space, laid out [requested f64 × cap | keys | dataPages | guardBefore |
 * guardAfter (u32 × cap each) | quarantined (u8 × cap)], 25 bytes a slot; a rehash maps the new
 * table, moves the entries and unmaps the old one. Without one they are JavaScript arrays, the
 * keys float64 (a paged space's addresses pass 2^32).
 * ensureRoom() grows the table before an insert needs it, so a failed mapping is an answer
 * (no room: the allocation fails) and never an exception in the middle of an insert.
 *
 * Invariants: live + quarantined = count; (count + tombstones) ≤ capacity / 2; every key is
 * reachable from its hash without crossing an empty slot.
 */

import type { AddressSpace } from '@heaplab/core';

/** Where a table in the space keeps its arrays. */
export interface TableStorage {
  readonly space: AddressSpace;
  /** A writable run of at least `bytes` bytes in the space (zero-filled), or 0 when none can be mapped. */
  map(bytes: number): number;
  /** Gives back a run `map` returned. */
  unmap(addr: number, bytes: number): void;
}

/** Bytes of one slot across the parallel arrays. */
const SLOT_BYTES = 25;

const EMPTY = 0;
const TOMB = 1;

export class LargeTable {
  /** Block addresses: 32 bits when the table is in a (flat) space, float64 in JavaScript arrays (any space). */
  keys!: Uint32Array | Float64Array;
  dataPages!: Uint32Array;
  guardBefore!: Uint32Array;
  guardAfter!: Uint32Array;
  requested!: Float64Array;
  quarantined!: Uint8Array;
  /** Entries (live and quarantined). */
  count = 0;
  private tombs = 0;
  private bits: number;
  /** Where the arrays are in the space (0: JavaScript arrays). */
  addr = 0;

  constructor(private readonly pageShift: number, bits = 6, private readonly storage: TableStorage | null = null) {
    this.bits = bits;
    const cap = 1 << bits;
    const at = storage ? storage.map(cap * SLOT_BYTES) : 0;
    if (storage && at === 0) throw new RangeError('large table: no room in the space for its first mapping');
    this.view(at, cap);
  }

  /** Points the arrays at a table of cap slots at addr in the space (0: new JavaScript arrays). */
  private view(addr: number, cap: number): void {
    this.addr = addr;
    if (addr === 0) {
      this.keys = new Float64Array(cap);
      this.dataPages = new Uint32Array(cap);
      this.guardBefore = new Uint32Array(cap);
      this.guardAfter = new Uint32Array(cap);
      this.requested = new Float64Array(cap);
      this.quarantined = new Uint8Array(cap);
      return;
    }
    const b = this.storage!.space.buffer;
    this.requested = new Float64Array(b, addr, cap);
    this.keys = new Uint32Array(b, addr + 8 * cap, cap);
    this.dataPages = new Uint32Array(b, addr + 12 * cap, cap);
    this.guardBefore = new Uint32Array(b, addr + 16 * cap, cap);
    this.guardAfter = new Uint32Array(b, addr + 20 * cap, cap);
    this.quarantined = new Uint8Array(b, addr + 24 * cap, cap);
  }

  /** Remakes the views after the space's buffer changed (wasm memory grown). */
  rebind(): void {
    if (this.addr !== 0) this.view(this.addr, 1 << this.bits); // not keys.length: a detached view's length is 0
  }

  get capacity(): number {
    return this.keys.length;
  }

  /** Bytes of the arrays. */
  get bytes(): number {
    return this.keys.length * (SLOT_BYTES + this.keys.BYTES_PER_ELEMENT - 4);
  }

  /** Bytes of the arrays held outside the space (0 when they are views of a mapping). */
  get externalBytes(): number {
    return this.addr === 0 ? this.bytes : 0;
  }

  /** Makes room for one more entry, rehashing into a larger table when needed; false when its storage cannot be had. */
  ensureRoom(): boolean {
    if ((this.count + this.tombs + 1) * 2 <= this.keys.length) return true;
    return this.rehash(this.count + 1 > this.keys.length / 4 ? this.bits + 1 : this.bits);
  }

  private hash(addr: number): number {
    return Math.imul(Math.floor(addr / 2 ** this.pageShift) | 0, 0x9e3779b1) >>> (32 - this.bits);
  }

  /** Slot of `addr`, or −1. */
  find(addr: number): number {
    const keys = this.keys;
    const mask = keys.length - 1;
    for (let k = this.hash(addr); ; k = (k + 1) & mask) {
      const key = keys[k]!;
      if (key === addr) return k;
      if (key === EMPTY) return -1;
    }
  }

  /** Adds an entry (addr not present). Returns its slot. Call ensureRoom() first when the table is in the space. */
  insert(addr: number, dataPages: number, guardBefore: number, guardAfter: number, requested: number): number {
    if (!this.ensureRoom()) throw new RangeError('large table: no room for an entry (ensureRoom() was not asked first)');
    const keys = this.keys;
    const mask = keys.length - 1;
    let k = this.hash(addr);
    while (keys[k]! > TOMB) k = (k + 1) & mask;
    if (keys[k] === TOMB) this.tombs--;
    keys[k] = addr;
    this.dataPages[k] = dataPages;
    this.guardBefore[k] = guardBefore;
    this.guardAfter[k] = guardAfter;
    this.requested[k] = requested;
    this.quarantined[k] = 0;
    this.count++;
    return k;
  }

  /** Removes the entry at slot k. */
  removeAt(k: number): void {
    this.keys[k] = TOMB;
    this.quarantined[k] = 0;
    this.count--;
    this.tombs++;
  }

  private rehash(bits: number): boolean {
    const cap = 1 << bits;
    const at = this.storage ? this.storage.map(cap * SLOT_BYTES) : 0;
    if (this.storage && at === 0) return false;
    // Entries are copied out first: the old views may be unmapped (and zeroed) below.
    const oldAddr = this.addr;
    const oldCap = this.keys.length;
    const old = { keys: this.keys.slice(), dataPages: this.dataPages.slice(), guardBefore: this.guardBefore.slice(), guardAfter: this.guardAfter.slice(), requested: this.requested.slice(), quarantined: this.quarantined.slice() };
    if (this.storage && oldAddr !== 0) this.storage.unmap(oldAddr, oldCap * SLOT_BYTES);
    this.bits = bits;
    this.view(at, cap);
    this.count = 0;
    this.tombs = 0;
    for (let k = 0; k < old.keys.length; k++) {
      const key = old.keys[k]!;
      if (key <= TOMB) continue;
      const j = this.insert(key, old.dataPages[k]!, old.guardBefore[k]!, old.guardAfter[k]!, old.requested[k]!);
      this.quarantined[j] = old.quarantined[k]!;
    }
    return true;
  }

  /** True when slot k holds an entry. */
  used(k: number): boolean {
    return this.keys[k]! > TOMB;
  }
}
