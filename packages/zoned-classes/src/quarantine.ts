/*
 * A quarantine as hardened_malloc's: a random array of `randomLength` entries followed by a FIFO
 * queue of `queueLength` entries. A freed address swaps into a random cell of the array; what it
 * displaces goes to the queue's tail; what falls off the queue's head is really freed. So an
 * address is reused only after at least queueLength more frees, at an unpredictable time.
 *
 * Entries are addresses (never 0: 0 marks an empty cell), u32 cells in a flat space and float64
 * cells in a paged one. One instance per size class for
 * slots (its lengths scaled by the class, see zoned.ts), one for large regions. The allocator
 * binds the two arrays to views of its state mapping (state.ts), so they live in the space; an
 * unbound quarantine makes its own on the first push.
 *
 * Invariants: 0 ≤ count ≤ queueLength; the queue's live cells are ring[(head + k) mod queueLength]
 * for k < count; an address appears at most once in the whole quarantine.
 */

import type { Random } from './random.js';

const EMPTY = new Uint32Array(0);

export class Quarantine {
  /** Views of the state mapping once bound; else made on the first push. */
  random: Uint32Array | Float64Array = EMPTY;
  ring: Uint32Array | Float64Array = EMPTY;
  private head = 0;
  private count = 0;
  private bound = false;

  constructor(readonly randomLength: number, readonly queueLength: number) {}

  /** Uses these arrays (randomLength and queueLength cells, zero when first bound) from now on; rebinding keeps their contents. */
  bind(random: Uint32Array | Float64Array, ring: Uint32Array | Float64Array): void {
    if (random.length !== this.randomLength || ring.length !== this.queueLength) throw new RangeError(`quarantine: arrays of ${random.length} + ${ring.length} cells bound to lengths ${this.randomLength} + ${this.queueLength}`);
    this.random = random;
    this.ring = ring;
    this.bound = true;
  }

  /** True when nothing is ever held. */
  get disabled(): boolean {
    return this.randomLength === 0 && this.queueLength === 0;
  }

  /** Holds `addr`; returns the address that leaves the quarantine (to be freed for real), or 0. */
  push(addr: number, rng: Random): number {
    if (!this.bound && this.random.length + this.ring.length === 0) {
      this.random = new Float64Array(this.randomLength);
      this.ring = new Float64Array(this.queueLength);
    }
    let v = addr;
    if (this.randomLength > 0) {
      const i = rng.below(this.randomLength);
      const old = this.random[i]!;
      this.random[i] = v;
      if (old === 0) return 0;
      v = old;
    }
    const q = this.queueLength;
    if (q === 0) return v;
    if (this.count < q) {
      this.ring[(this.head + this.count) % q] = v;
      this.count++;
      return 0;
    }
    const out = this.ring[this.head]!;
    this.ring[this.head] = v;
    this.head = (this.head + 1) % q;
    return out;
  }

  /** Every held address, oldest queue entries first, then the random array. */
  entries(): number[] {
    const out: number[] = [];
    for (let k = 0; k < this.count; k++) out.push(this.ring[(this.head + k) % this.queueLength]!);
    for (const v of this.random) if (v !== 0) out.push(v);
    return out;
  }

  /** Number of held addresses. */
  get size(): number {
    let n = this.count;
    for (const v of this.random) if (v !== 0) n++;
    return n;
  }

  /** Empties the quarantine; returns what it held. */
  drain(): number[] {
    const out = this.entries();
    this.random.fill(0);
    this.ring.fill(0);
    this.head = 0;
    this.count = 0;
    return out;
  }

  /** Bytes of its arrays. */
  get bytes(): number {
    return 4 * (this.random.length + this.ring.length);
  }
}
