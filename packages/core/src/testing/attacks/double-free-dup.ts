/*
 * Double free to a duplicate allocation (fastbin dup): a block freed twice sits twice on a free
 * list, so two later mallocs return the same block while both are live.
 *
 * Attempts (each on a fresh allocator; blocks of SIZE bytes):
 *   a-a          free(a); free(a) — the plain double free (glibc ≥ 2.29 stops it with the tcache key);
 *   a-b-a        free(a); free(b); free(a) — how2heap's fastbin_dup: the second free of a is not at
 *                the list's head, which is all glibc's fastbin check looks at;
 *   a-b-a-full   the same after CACHE blocks of that size were freed first, so a and b go past any
 *                per-thread cache into the shared lists (how2heap fills the tcache the same way).
 * Then malloc(SIZE) PICKS times. Goal: two of the returned pointers equal, or any two returned
 * blocks overlapping (overlapping live blocks). Nothing is written into any block: the only misuse
 * is the second free.
 */

import type { Allocator } from '../../api.js';
import { hx, overlaps, type AttackAttempt, type AttackScenario, type Reached } from './kit.js';

const SIZE = 32;
const CACHE = 140;
const PICKS = CACHE + 8;

function duplicates(a: Allocator, picks: number): Reached | string {
  const got: number[] = [];
  for (let i = 0; i < picks; i++) {
    const q = a.malloc(SIZE);
    if (q === 0) continue;
    for (const p of got) {
      if (overlaps(p, a.usableSize(p), q, a.usableSize(q))) {
        return { primitive: 'overlapping live blocks', detail: p === q ? `malloc(${SIZE}) returned ${hx(q)} twice, both live` : `live blocks at ${hx(p)} and ${hx(q)} overlap` };
      }
    }
    got.push(q);
  }
  return `${picks} mallocs returned distinct blocks`;
}

const plain: AttackAttempt = {
  name: 'a-a',
  run(a) {
    const x = a.malloc(SIZE);
    a.free(x);
    a.free(x);
    return duplicates(a, 4);
  },
};

const interleaved: AttackAttempt = {
  name: 'a-b-a',
  run(a) {
    const x = a.malloc(SIZE);
    const y = a.malloc(SIZE);
    a.free(x);
    a.free(y);
    a.free(x);
    return duplicates(a, 6);
  },
};

const pastCache: AttackAttempt = {
  name: 'a-b-a-full',
  run(a) {
    const filler: number[] = [];
    for (let i = 0; i < CACHE; i++) filler.push(a.malloc(SIZE));
    const x = a.malloc(SIZE);
    const y = a.malloc(SIZE);
    for (const p of filler) a.free(p);
    a.free(x);
    a.free(y);
    a.free(x);
    return duplicates(a, PICKS);
  },
};

export const doubleFreeDup: AttackScenario = {
  name: 'double-free-dup',
  title: 'double free to a duplicate allocation (fastbin dup)',
  what: 'A block freed twice is on a free list twice, so two later mallocs return the same memory to two owners.',
  source: "how2heap's fastbin_dup.c and tcache_dup (shellphish/how2heap); glibc's tcache double-free key (glibc 2.29)",
  writes: `nothing: the only misuse is the second free (orders a-a, a-b-a, and a-b-a after ${CACHE} frees of the same size, past any per-thread cache), then ${PICKS} mallocs of ${SIZE} bytes looking for two live blocks that overlap`,
  attempts: [plain, interleaved, pastCache],
};
