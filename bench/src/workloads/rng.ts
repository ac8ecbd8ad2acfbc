/*
 * The workloads' seeded random numbers: xoshiro128** (Blackman & Vigna, 2018), 32-bit state
 * words in a Uint32Array, seeded from one integer through splitmix32 so that nearby seeds give
 * unrelated streams. Period 2^128 − 1; passes BigCrush; a step is a few shifts and xors and two
 * Math.imul, and makes no JS object.
 *
 * Derived draws (documented so another implementation reproduces a workload exactly):
 *   u32()          the next 32-bit output
 *   float()        u32() / 2^32, in [0, 1)
 *   int(lo, hi)    lo + ⌊float() × (hi − lo + 1)⌋, uniform on [lo, hi] up to a bias below
 *                  (hi − lo + 1) / 2^32 (under 10^-4 for every range the workloads use)
 */

/** splitmix32 step: the seeding function. */
function splitmix32(state: { s: number }): number {
  state.s = (state.s + 0x9e3779b9) >>> 0;
  let z = state.s;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
  return (z ^ (z >>> 16)) >>> 0;
}

export class Rng {
  private readonly s = new Uint32Array(4);

  /** A generator seeded with an integer in [0, 2^32). */
  constructor(readonly seed: number) {
    if (!Number.isInteger(seed) || seed < 0 || seed >= 2 ** 32) throw new RangeError(`seed must be an integer in [0, 2^32), got ${seed}`);
    const st = { s: seed >>> 0 };
    for (let i = 0; i < 4; i++) this.s[i] = splitmix32(st);
    if ((this.s[0]! | this.s[1]! | this.s[2]! | this.s[3]!) === 0) this.s[0] = 1;
  }

  /** The next 32-bit output. */
  u32(): number {
    const s = this.s;
    const result = Math.imul(rotl(Math.imul(s[1]!, 5), 7), 9) >>> 0;
    const t = s[1]! << 9;
    s[2]! ^= s[0]!;
    s[3]! ^= s[1]!;
    s[1]! ^= s[2]!;
    s[0]! ^= s[3]!;
    s[2]! ^= t;
    s[3] = rotl(s[3]!, 11);
    return result;
  }

  /** Uniform in [0, 1). */
  float(): number {
    return this.u32() / 4294967296;
  }

  /** Uniform integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.float() * (hi - lo + 1));
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
