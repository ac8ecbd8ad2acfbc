/*
 * IdTable: trace id → slot, an open-addressing hash table over typed arrays (linear probing).
 *
 * Trace ids are the recorded program's pointers: 47-bit numbers on x86-64, doubles to V8, whose
 * Map hashes them so badly that a Map of a million live ids takes minutes to fill (a python3
 * trace with 940,000 live blocks: 57 s for its first 400,000 allocations). Here the hash mixes
 * both 32-bit halves of the id with multiplications, so the cost per operation stays constant.
 *
 * Layout: capacity a power of two; keys[k] is EMPTY (−1), TOMB (−2) or an id (a non-negative
 * integer below 2^53); vals[k] its slot. Invariants: (count + tombs) ≤ capacity / 2; every id is
 * reachable from its hash without crossing an EMPTY cell.
 */

const EMPTY = -1;
const TOMB = -2;

export class IdTable {
  private keys: Float64Array;
  private vals: Int32Array;
  private mask: number;
  private shift: number;
  /** Ids in the table. */
  count = 0;
  private tombs = 0;

  constructor(capacity = 1024) {
    const cap = 2 ** Math.max(4, Math.ceil(Math.log2(capacity)));
    this.keys = new Float64Array(cap).fill(EMPTY);
    this.vals = new Int32Array(cap);
    this.mask = cap - 1;
    this.shift = 32 - Math.log2(cap);
  }

  private hash(id: number): number {
    const lo = id >>> 0;
    const hi = Math.floor(id / 4294967296) >>> 0;
    const h = Math.imul(lo ^ Math.imul(hi, 0x9e3779b1), 0x85ebca6b);
    return Math.imul(h ^ (h >>> 15), 0xc2b2ae35) >>> this.shift;
  }

  /** The slot of `id`, or −1 when absent. */
  get(id: number): number {
    const keys = this.keys;
    for (let k = this.hash(id); ; k = (k + 1) & this.mask) {
      const key = keys[k]!;
      if (key === id) return this.vals[k]!;
      if (key === EMPTY) return -1;
    }
  }

  /** Sets the slot of `id` (added, or replaced when present). Returns true when it was present. */
  set(id: number, slot: number): boolean {
    if ((this.count + this.tombs + 1) * 2 > this.keys.length) this.rehash();
    const keys = this.keys;
    let k = this.hash(id);
    let tomb = -1;
    for (; ; k = (k + 1) & this.mask) {
      const key = keys[k]!;
      if (key === id) {
        this.vals[k] = slot;
        return true;
      }
      if (key === EMPTY) break;
      if (key === TOMB && tomb < 0) tomb = k;
    }
    if (tomb >= 0) {
      k = tomb;
      this.tombs--;
    }
    keys[k] = id;
    this.vals[k] = slot;
    this.count++;
    return false;
  }

  /** Removes `id`; returns its slot, or −1 when it was absent. */
  delete(id: number): number {
    const keys = this.keys;
    for (let k = this.hash(id); ; k = (k + 1) & this.mask) {
      const key = keys[k]!;
      if (key === id) {
        keys[k] = TOMB;
        this.count--;
        this.tombs++;
        return this.vals[k]!;
      }
      if (key === EMPTY) return -1;
    }
  }

  /** Bytes of the arrays. */
  get bytes(): number {
    return this.keys.byteLength + this.vals.byteLength;
  }

  /** Moves the ids into a table of at least four times their count (drops the tombstones). */
  private rehash(): void {
    const oldKeys = this.keys;
    const oldVals = this.vals;
    const cap = 2 ** Math.max(4, Math.ceil(Math.log2(Math.max(16, 4 * (this.count + 1)))));
    this.keys = new Float64Array(cap).fill(EMPTY);
    this.vals = new Int32Array(cap);
    this.mask = cap - 1;
    this.shift = 32 - Math.log2(cap);
    this.count = 0;
    this.tombs = 0;
    for (let k = 0; k < oldKeys.length; k++) {
      const key = oldKeys[k]!;
      if (key >= 0) this.set(key, oldVals[k]!);
    }
  }
}
