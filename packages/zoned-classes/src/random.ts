/*
 * The seeded generator behind every random choice of the allocator (slot choice, canary values,
 * zone order and offsets, guard sizes, quarantine positions): xoshiro128**, seeded through
 * splitmix32 so that nearby seeds give unrelated streams.
 *
 * Not cryptographic: hardened_malloc uses ChaCha8 so an attacker cannot predict slots or canaries;
 * here the point is reproducible runs, and the same seed always gives the same heap.
 * State: four u32 words in plain fields (no allocation per draw).
 */

function splitmix32(x: number): number {
  x = (x + 0x9e3779b9) | 0;
  let z = x;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

export class Random {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    let s = seed >>> 0;
    this.a = s = splitmix32(s);
    this.b = s = splitmix32(s);
    this.c = s = splitmix32(s);
    this.d = splitmix32(s);
    if ((this.a | this.b | this.c | this.d) === 0) this.d = 1;
  }

  /** A uniform u32. */
  next(): number {
    const r = Math.imul(rotl(Math.imul(this.b, 5), 7), 9) >>> 0;
    const t = this.b << 9;
    this.c ^= this.a;
    this.d ^= this.b;
    this.b ^= this.c;
    this.a ^= this.d;
    this.c ^= t;
    this.d = rotl(this.d, 11);
    return r;
  }

  /** A uniform integer in [0, n), n ≤ 2^32 (bias below 2^-32 · n, irrelevant here). */
  below(n: number): number {
    return Math.floor(this.next() * 2.3283064365386963e-10 * n);
  }

  /** Shuffles an array in place (Fisher–Yates). */
  shuffle<T>(xs: T[]): T[] {
    for (let k = xs.length - 1; k > 0; k--) {
      const j = this.below(k + 1);
      const t = xs[k]!;
      xs[k] = xs[j]!;
      xs[j] = t;
    }
    return xs;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
