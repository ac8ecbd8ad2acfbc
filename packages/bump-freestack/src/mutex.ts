/*
 * A mutex on one i32 word of the space (Drepper's mutex 2: 0 free, 1 held, 2 held with waiters),
 * for the heap's slow paths only: taking a new run, growing the heap, large blocks, reclaiming,
 * and the FIFO queues. The fast paths (local caches) never touch it; the free stacks are lock-free.
 * Over a non-shared buffer there is one thread, so waiting is never needed (and Atomics.wait
 * would throw): contention there is a re-entry bug and is reported as such.
 */

export function lockWord(i32: Int32Array, index: number, shared: boolean): void {
  let c = Atomics.compareExchange(i32, index, 0, 1);
  if (c === 0) return;
  if (!shared) throw new Error('bump-freestack: heap mutex taken twice by one thread (re-entry)');
  for (let spin = 0; spin < 200; spin++) {
    c = Atomics.compareExchange(i32, index, 0, 1);
    if (c === 0) return;
  }
  if (c !== 2) c = Atomics.exchange(i32, index, 2);
  while (c !== 0) {
    Atomics.wait(i32, index, 2);
    c = Atomics.exchange(i32, index, 2);
  }
}

export function unlockWord(i32: Int32Array, index: number, shared: boolean): void {
  if (Atomics.sub(i32, index, 1) !== 1) {
    Atomics.store(i32, index, 0);
    if (shared) Atomics.notify(i32, index, 1);
  }
}
