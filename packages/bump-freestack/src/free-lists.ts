/*
 * The per-class free lists, linked through the free blocks themselves (word 0: the next block's
 * address, word 1: the block's meta word index, so a popper never recomputes it).
 *
 * Stack (default): a Treiber stack whose head is one u64 word = tag << 32 | top address, pushed
 * and popped with Atomics.compareExchange on a BigUint64Array. Every successful CAS increments
 * the 32-bit tag, so a head that reads the same twice was not touched in between: ABA (pop A,
 * pop B, push A, then an old CAS from A to B succeeding) needs 2^32 operations inside one
 * pop's window. Batches: a chain of blocks is pushed with one CAS (linked first, then published),
 * and up to `max` blocks are popped with one CAS (the walk reads links speculatively; they may be
 * garbage if the head moved, and then the CAS fails and the walk is redone).
 *
 * FIFO queue (option): head and tail addresses (u32 at +0 and +4 of the class entry), under the
 * class's mutex. Oldest block out first.
 *
 * Safe-linking (option safeLinking; glibc 2.32's PROTECT_PTR / REVEAL_PTR): a link stored at
 * address `at` holds (at >>> 12) XOR next instead of next; `sl` is the mask that turns it on (−1)
 * or off (0), so the same code runs both ways without a branch. Heads stay plain (they live in the
 * metadata region, not in freed blocks), and so do the stack's ABA tags. Popping with a `check`
 * validates every block it takes and the revealed link it would install as the new head, before
 * the CAS (or, under the FIFO mutex, before the head is written): a link that fails returns −1 with
 * the bad value in `badLink`, and nothing has changed. In the shared stack a failed check first
 * re-reads the head: a link read while another thread moved the head may be stale, not corrupt.
 *
 * Invariant (quiescent): following links from the head reaches 0 after exactly the number of
 * blocks on the list; every block on it has meta state FREE and lies in a run of its class.
 */

import { lockWord, unlockWord } from './mutex.js';

const MASK = 0xffffffffn;

/** The word stored at `at` to link to `next` (and, applied again, the next a stored word names). */
export function protect(at: number, next: number, sl: number): number {
  return (((at >>> 12) & sl) ^ next) >>> 0;
}

/** Validates a block a pop takes or a link it follows (safe-linking only): true when it may be on this list. */
export type LinkCheck = (p: number) => boolean;

/** Where a pop that returned −1 found its bad link: the link's address and the block it named. */
export const badLink = { at: 0, value: 0 };

function bad(at: number, value: number): number {
  badLink.at = at;
  badLink.value = value;
  return -1;
}

/** Pushes the chain first → … → last (already linked through word 0) onto the stack at b64[i]. */
export function pushChain(b64: BigUint64Array, i: number, u32: Uint32Array, first: number, last: number, sl = 0): void {
  for (;;) {
    const h = Atomics.load(b64, i);
    u32[last >>> 2] = protect(last, Number(h & MASK), sl);
    const nv = ((((h >> 32n) + 1n) & MASK) << 32n) | BigInt(first);
    if (Atomics.compareExchange(b64, i, h, nv) === h) return;
  }
}

/** Pops up to `max` blocks from the stack at b64[i] into out[0 … n); returns n, or −1 on a link `check` rejects. */
export function popBatch(b64: BigUint64Array, i: number, u32: Uint32Array, max: number, out: Uint32Array, sl = 0, check: LinkCheck | null = null): number {
  outer: for (;;) {
    const h = Atomics.load(b64, i);
    const top = Number(h & MASK);
    if (top === 0) return 0;
    let n = 0;
    let p = top;
    let at = 0;
    while (n < max && p !== 0) {
      if (check !== null && !check(p)) {
        if (Atomics.load(b64, i) !== h) continue outer; // the head moved: the link read may be stale
        return bad(at, p);
      }
      out[n++] = p;
      at = p;
      p = protect(p, u32[p >>> 2] ?? 0, sl); // speculative: validated by the CAS below
    }
    if (check !== null && p !== 0 && !check(p)) {
      if (Atomics.load(b64, i) !== h) continue;
      return bad(at, p);
    }
    const nv = ((((h >> 32n) + 1n) & MASK) << 32n) | BigInt(p);
    if (Atomics.compareExchange(b64, i, h, nv) === h) return n;
  }
}

/** Takes the whole stack at b64[i] (one CAS); returns the top address (a chain ending in 0). */
export function popAll(b64: BigUint64Array, i: number): number {
  for (;;) {
    const h = Atomics.load(b64, i);
    if ((h & MASK) === 0n) return 0;
    const nv = (((h >> 32n) + 1n) & MASK) << 32n;
    if (Atomics.compareExchange(b64, i, h, nv) === h) return Number(h & MASK);
  }
}

/** The top address of the stack at b64[i] (for walks while quiescent). */
export function stackTop(b64: BigUint64Array, i: number): number {
  return Number(Atomics.load(b64, i) & MASK);
}

/**
 * FIFO queue of one class: `w` is the u32 index of its head word (tail at w + 1), `m` the i32
 * index of its mutex, `q` the u32 index of its count. Appends the chain first → … → last.
 */
export function enqueueChain(u32: Uint32Array, i32: Int32Array, w: number, m: number, q: number, shared: boolean, first: number, last: number, count: number, sl = 0): void {
  lockWord(i32, m, shared);
  u32[last >>> 2] = protect(last, 0, sl);
  const tail = u32[w + 1]!;
  if (tail === 0) u32[w] = first;
  else u32[tail >>> 2] = protect(tail, first, sl);
  u32[w + 1] = last;
  u32[q] = u32[q]! + count;
  unlockWord(i32, m, shared);
}

/** Dequeues up to `max` blocks (oldest first) into out; returns n, or −1 on a link `check` rejects. */
export function dequeue(u32: Uint32Array, i32: Int32Array, w: number, m: number, q: number, shared: boolean, max: number, out: Uint32Array, sl = 0, check: LinkCheck | null = null): number {
  lockWord(i32, m, shared);
  let n = 0;
  let p = u32[w]!;
  let at = 0;
  while (n < max && p !== 0) {
    if (check !== null && !check(p)) {
      unlockWord(i32, m, shared);
      return bad(at, p);
    }
    out[n++] = p;
    at = p;
    p = protect(p, u32[p >>> 2]!, sl);
  }
  if (check !== null && p !== 0 && !check(p)) {
    unlockWord(i32, m, shared);
    return bad(at, p);
  }
  u32[w] = p;
  if (p === 0) u32[w + 1] = 0;
  u32[q] = u32[q]! - n;
  unlockWord(i32, m, shared);
  return n;
}

/** Takes the whole queue; returns its head (a chain ending in 0). */
export function dequeueAll(u32: Uint32Array, i32: Int32Array, w: number, m: number, q: number, shared: boolean): number {
  lockWord(i32, m, shared);
  const head = u32[w]!;
  u32[w] = 0;
  u32[w + 1] = 0;
  u32[q] = 0;
  unlockWord(i32, m, shared);
  return head;
}

/*
 * The same two operations over a non-shared buffer (one thread, so no CAS and no BigInt): the
 * head's low word (u32 index w) is the top address, the high word (w + 1) the tag, kept
 * counting so a later attach to a shared copy would still see a tag that only grows.
 */

export function pushChainLocal(u32: Uint32Array, w: number, first: number, last: number, sl = 0): void {
  u32[last >>> 2] = protect(last, u32[w]!, sl);
  u32[w] = first;
  u32[w + 1] = (u32[w + 1]! + 1) >>> 0;
}

export function popBatchLocal(u32: Uint32Array, w: number, max: number, out: Uint32Array, sl = 0, check: LinkCheck | null = null): number {
  let n = 0;
  let p = u32[w]!;
  let at = 0;
  while (n < max && p !== 0) {
    if (check !== null && !check(p)) return bad(at, p);
    out[n++] = p;
    at = p;
    p = protect(p, u32[p >>> 2]!, sl);
  }
  if (check !== null && p !== 0 && !check(p)) return bad(at, p);
  if (n > 0) {
    u32[w] = p;
    u32[w + 1] = (u32[w + 1]! + 1) >>> 0;
  }
  return n;
}
