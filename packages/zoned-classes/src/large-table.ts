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
 * Invariants: live + quarantined = count; (count + tombstones) ≤ capacity / 2; every key is
 * reachable from its hash without crossing an empty slot.
 */

const EMPTY = 0;
const TOMB = 1;

export class LargeTable {
  keys: Uint32Array;
  dataPages: Uint32Array;
  guardBefore: Uint32Array;
  guardAfter: Uint32Array;
  requested: Float64Array;
  quarantined: Uint8Array;
  /** Entries (live and quarantined). */
  count = 0;
  private tombs = 0;
  private bits: number;

  constructor(private readonly pageShift: number, bits = 6) {
    this.bits = bits;
    const cap = 1 << bits;
    this.keys = new Uint32Array(cap);
    this.dataPages = new Uint32Array(cap);
    this.guardBefore = new Uint32Array(cap);
    this.guardAfter = new Uint32Array(cap);
    this.requested = new Float64Array(cap);
    this.quarantined = new Uint8Array(cap);
  }

  get capacity(): number {
    return this.keys.length;
  }

  /** Bytes of the arrays. */
  get bytes(): number {
    return this.keys.length * (4 * 4 + 8 + 1);
  }

  private hash(addr: number): number {
    return Math.imul(addr >>> this.pageShift, 0x9e3779b1) >>> (32 - this.bits);
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

  /** Adds an entry (addr not present). Returns its slot. */
  insert(addr: number, dataPages: number, guardBefore: number, guardAfter: number, requested: number): number {
    if ((this.count + this.tombs + 1) * 2 > this.keys.length) this.rehash(this.count + 1 > this.keys.length / 4 ? this.bits + 1 : this.bits);
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

  private rehash(bits: number): void {
    const old = { keys: this.keys, dataPages: this.dataPages, guardBefore: this.guardBefore, guardAfter: this.guardAfter, requested: this.requested, quarantined: this.quarantined };
    this.bits = bits;
    const cap = 1 << bits;
    this.keys = new Uint32Array(cap);
    this.dataPages = new Uint32Array(cap);
    this.guardBefore = new Uint32Array(cap);
    this.guardAfter = new Uint32Array(cap);
    this.requested = new Float64Array(cap);
    this.quarantined = new Uint8Array(cap);
    this.count = 0;
    this.tombs = 0;
    for (let k = 0; k < old.keys.length; k++) {
      const key = old.keys[k]!;
      if (key <= TOMB) continue;
      const j = this.insert(key, old.dataPages[k]!, old.guardBefore[k]!, old.guardAfter[k]!, old.requested[k]!);
      this.quarantined[j] = old.quarantined[k]!;
    }
  }

  /** True when slot k holds an entry. */
  used(k: number): boolean {
    return this.keys[k]! > TOMB;
  }
}
