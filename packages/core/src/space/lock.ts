/*
 * The space's lock: one i32 word in the header, taken with Atomics.compareExchange.
 * States: 0 free, 1 held, 2 held with waiters (Drepper's "futexes are tricky", mutex 2).
 * Over a non-shared ArrayBuffer there is only one thread, so the lock is skipped entirely.
 * Not re-entrant: public calls take it once and call unlocked internals.
 */

export class SpaceLock {
  constructor(
    private readonly i32: Int32Array,
    private readonly index: number,
    private readonly shared: boolean,
  ) {}

  acquire(): void {
    if (!this.shared) return;
    const a = this.i32;
    const i = this.index;
    let c = Atomics.compareExchange(a, i, 0, 1);
    if (c === 0) return;
    for (let spin = 0; spin < 100; spin++) {
      c = Atomics.compareExchange(a, i, 0, 1);
      if (c === 0) return;
    }
    if (c !== 2) c = Atomics.exchange(a, i, 2);
    while (c !== 0) {
      Atomics.wait(a, i, 2);
      c = Atomics.exchange(a, i, 2);
    }
  }

  release(): void {
    if (!this.shared) return;
    if (Atomics.sub(this.i32, this.index, 1) !== 1) {
      Atomics.store(this.i32, this.index, 0);
      Atomics.notify(this.i32, this.index, 1);
    }
  }
}
