/*
 * The per-class free lists, linked through the free blocks themselves (word 0: the next block's
 * handle, word 1: the handle of the block's meta word, so a popper never recomputes it). Blocks,
 * links and heads are u32 handles (layout.ts): block h lives at address hb + h, read and written
 * through the space's RawMemory `m`; the heads are named by their byte address `at`.
 *
 * Stack (default): a Treiber stack whose head is one u64 word = tag << 32 | top handle, pushed
 * and popped with Atomics.compareExchange on a BigUint64Array over the class area (a shared
 * buffer, so a flat space: heap.ts makes the view only then). Every successful CAS increments
 * the 32-bit tag, so a head that reads the same twice was not touched in between: ABA (pop A,
 * pop B, push A, then an old CAS from A to B succeeding) needs 2^32 operations inside one
 * pop's window. Batches: a chain of blocks is pushed with one CAS (linked first, then published),
 * and up to `max` blocks are popped with one CAS (the walk reads links speculatively; they may be
 * garbage if the head moved, and then the CAS fails and the walk is redone).
 *
 * FIFO queue (option): head and tail handles (u32 at +0 and +4 of the class entry), under the
 * class's mutex. Oldest block out first.
 *
 * Safe-linking (option safeLinking; glibc 2.32's PROTECT_PTR / REVEAL_PTR): a link stored in the
 * block with handle `at` holds (at >>> 12) XOR next instead of next (both 32-bit handles, so the
 * mangling is the same at every space size); `sl` is the mask that turns it on (−1)
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

import type { RawMemory } from '@heaplab/core';
import { lockWord, unlockWord } from './mutex.js';

const MASK = 0xffffffffn;

/** The word stored in block `at` to link to `next` (and, applied again, the next a stored word names); handles. */
export function protect(at: number, next: number, sl: number): number {
  return (((at >>> 12) & sl) ^ next) >>> 0;
}

/** Validates a block a pop takes or a link it follows (safe-linking only): true when it may be on this list. */
export type LinkCheck = (p: number) => boolean;

/** Where a pop that returned −1 found its bad link: the handle of the block holding it (0: the head) and the handle it named. */
export const badLink = { at: 0, value: 0 };

function bad(at: number, value: number): number {
  badLink.at = at;
  badLink.value = value;
  return -1;
}

/** Pushes the chain first → … → last (already linked through word 0) onto the stack at b64[i]. */
export function pushChain(b64: BigUint64Array, i: number, m: RawMemory, hb: number, first: number, last: number, sl = 0): void {
  for (;;) {
    const h = Atomics.load(b64, i);
    m.setU32(hb + last, protect(last, Number(h & MASK), sl));
    const nv = ((((h >> 32n) + 1n) & MASK) << 32n) | BigInt(first);
    if (Atomics.compareExchange(b64, i, h, nv) === h) return;
  }
}

/** Pops up to `max` blocks from the stack at b64[i] into out[0 … n); returns n, or −1 on a link `check` rejects. */
export function popBatch(b64: BigUint64Array, i: number, m: RawMemory, hb: number, max: number, out: Uint32Array, sl = 0, check: LinkCheck | null = null): number {
  outer: for (;;) {
    const h = Atomics.load(b64, i);
    const top = Number(h & MASK);
    if (top === 0) return 0;
    let n = 0;
    let p = top;
    let from = 0;
    while (n < max && p !== 0) {
      if (check !== null && !check(p)) {
        if (Atomics.load(b64, i) !== h) continue outer; // the head moved: the link read may be stale
        return bad(from, p);
      }
      out[n++] = p;
      from = p;
      p = protect(p, m.u32(hb + p), sl); // speculative: validated by the CAS below
    }
    if (check !== null && p !== 0 && !check(p)) {
      if (Atomics.load(b64, i) !== h) continue;
      return bad(from, p);
    }
    const nv = ((((h >> 32n) + 1n) & MASK) << 32n) | BigInt(p);
    if (Atomics.compareExchange(b64, i, h, nv) === h) return n;
  }
}

/** Takes the whole stack at b64[i] (one CAS); returns the top handle (a chain ending in 0). */
export function popAll(b64: BigUint64Array, i: number): number {
  for (;;) {
    const h = Atomics.load(b64, i);
    if ((h & MASK) === 0n) return 0;
    const nv = (((h >> 32n) + 1n) & MASK) << 32n;
    if (Atomics.compareExchange(b64, i, h, nv) === h) return Number(h & MASK);
  }
}

/** The top handle of the stack at b64[i] (for walks while quiescent). */
export function stackTop(b64: BigUint64Array, i: number): number {
  return Number(Atomics.load(b64, i) & MASK);
}

/**
 * FIFO queue of one class: its head word at address `w` (tail at w + 4), its mutex at `mx`, its
 * count at `q`. Appends the chain first → … → last.
 */
export function enqueueChain(m: RawMemory, w: number, mx: number, q: number, shared: boolean, hb: number, first: number, last: number, count: number, sl = 0): void {
  lockWord(m.atomicWords, m.atomicIndex(mx), shared);
  m.setU32(hb + last, protect(last, 0, sl));
  const tail = m.u32(w + 4);
  if (tail === 0) m.setU32(w, first);
  else m.setU32(hb + tail, protect(tail, first, sl));
  m.setU32(w + 4, last);
  m.setU32(q, m.u32(q) + count);
  unlockWord(m.atomicWords, m.atomicIndex(mx), shared);
}

/** Dequeues up to `max` blocks (oldest first) into out; returns n, or −1 on a link `check` rejects. */
export function dequeue(m: RawMemory, w: number, mx: number, q: number, shared: boolean, hb: number, max: number, out: Uint32Array, sl = 0, check: LinkCheck | null = null): number {
  lockWord(m.atomicWords, m.atomicIndex(mx), shared);
  let n = 0;
  let p = m.u32(w);
  let from = 0;
  while (n < max && p !== 0) {
    if (check !== null && !check(p)) {
      unlockWord(m.atomicWords, m.atomicIndex(mx), shared);
      return bad(from, p);
    }
    out[n++] = p;
    from = p;
    p = protect(p, m.u32(hb + p), sl);
  }
  if (check !== null && p !== 0 && !check(p)) {
    unlockWord(m.atomicWords, m.atomicIndex(mx), shared);
    return bad(from, p);
  }
  m.setU32(w, p);
  if (p === 0) m.setU32(w + 4, 0);
  m.setU32(q, m.u32(q) - n);
  unlockWord(m.atomicWords, m.atomicIndex(mx), shared);
  return n;
}

/** Takes the whole queue; returns its head (a chain ending in 0). */
export function dequeueAll(m: RawMemory, w: number, mx: number, q: number, shared: boolean): number {
  lockWord(m.atomicWords, m.atomicIndex(mx), shared);
  const head = m.u32(w);
  m.setU32(w, 0);
  m.setU32(w + 4, 0);
  m.setU32(q, 0);
  unlockWord(m.atomicWords, m.atomicIndex(mx), shared);
  return head;
}

/*
 * The same three operations over a non-shared buffer (one thread, so no CAS and no BigInt): the
 * head's low word (at address `at`) is the top handle, the high word (at + 4) the tag, kept
 * counting so a later attach to a shared copy would still see a tag that only grows.
 */

export function pushChainLocal(m: RawMemory, at: number, hb: number, first: number, last: number, sl = 0): void {
  m.setU32(hb + last, protect(last, m.u32(at), sl));
  m.setU32(at, first);
  m.setU32(at + 4, (m.u32(at + 4) + 1) >>> 0);
}

export function popBatchLocal(m: RawMemory, at: number, hb: number, max: number, out: Uint32Array, sl = 0, check: LinkCheck | null = null): number {
  let n = 0;
  let p = m.u32(at);
  let from = 0;
  while (n < max && p !== 0) {
    if (check !== null && !check(p)) return bad(from, p);
    out[n++] = p;
    from = p;
    p = protect(p, m.u32(hb + p), sl);
  }
  if (check !== null && p !== 0 && !check(p)) return bad(from, p);
  if (n > 0) {
    m.setU32(at, p);
    m.setU32(at + 4, (m.u32(at + 4) + 1) >>> 0);
  }
  return n;
}

export function popAllLocal(m: RawMemory, at: number): number {
  const top = m.u32(at);
  if (top !== 0) {
    m.setU32(at, 0);
    m.setU32(at + 4, (m.u32(at + 4) + 1) >>> 0);
  }
  return top;
}
