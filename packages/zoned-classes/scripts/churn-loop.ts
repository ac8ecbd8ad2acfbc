/*
 * A churn-like loop (BRIEF §8's churn, re-implemented here with its own seeded xorshift32, NOT
 * the bench workload): the first 10,000 steps allocate; then each step allocates with probability
 * 0.5 + (10,000 − live) / 20,000, else frees a uniformly chosen live block; sizes uniform in bands
 * 90% 8–100 B, 9% 101–4,096 B, 1% 4,097–262,144 B; the first and last byte of each block written.
 * churn-loop.c runs the same steps with the same generator against the C library's malloc.
 *
 * runChurn(malloc, free, write, ops, seed) → nothing; the caller times it.
 */

export interface ChurnTarget {
  malloc(size: number): number;
  free(ptr: number): void;
  /** Writes the first and last byte of a block. */
  touch(ptr: number, size: number): void;
}

export interface ChurnProbe {
  /** Called every `every` steps with the live bytes (sum of requested sizes). */
  every: number;
  sample(step: number, liveBytes: number): void;
}

export function runChurn(t: ChurnTarget, ops: number, seed: number, probe?: ChurnProbe): number {
  let x = seed >>> 0 || 1;
  const rnd = (): number => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 4294967296;
  };
  const ptrs = new Float64Array(1 << 16);
  const sizes = new Float64Array(1 << 16);
  let live = 0;
  let liveBytes = 0;
  let failures = 0;
  for (let step = 0; step < ops; step++) {
    if (step < 10000 || rnd() < 0.5 + (10000 - live) / 20000) {
      const u = rnd();
      const lo = u < 0.9 ? 8 : u < 0.99 ? 101 : 4097;
      const hi = u < 0.9 ? 100 : u < 0.99 ? 4096 : 262144;
      const size = lo + Math.floor(rnd() * (hi - lo + 1));
      const p = t.malloc(size);
      if (p === 0) {
        failures++;
        continue;
      }
      t.touch(p, size);
      ptrs[live] = p;
      sizes[live++] = size;
      liveBytes += size;
    } else if (live > 0) {
      const i = Math.floor(rnd() * live);
      t.free(ptrs[i]!);
      liveBytes -= sizes[i]!;
      live--;
      ptrs[i] = ptrs[live]!;
      sizes[i] = sizes[live]!;
    }
    if (probe && step % probe.every === 0) probe.sample(step, liveBytes);
  }
  return failures;
}
