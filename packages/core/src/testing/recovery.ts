/*
 * The conformance suite's recovery check: fill the space, free everything, ask again (the
 * contract: out of memory returns 0 and leaves the heap fully usable).
 *
 * Rounds, each on a fresh allocator over a fresh space (`recoverySpaceSize`, default 64 MiB): for
 * each fill size (default 3,000 and 400 bytes) and each free order (allocation order, then
 * reverse), malloc(fill) until it returns 0 — touching each block — then free every block; then
 * `check()` and the promise of `oomRecovery`:
 *   - 'any-size' (default): each of `recoveryRequests` (default 200 KiB and 8 MiB) succeeds, and
 *     so does malloc(fill). First, another fresh allocator must serve each request, so a failure
 *     afterwards is the fill's doing, not the space's size (a separate one: serving a request
 *     may change an allocator's state — glibc's dynamic mmap threshold — and hide what a fill
 *     does to a fresh one).
 *   - 'same-size': only malloc(fill) must succeed again — what a design promises when memory
 *     carved for one size class never serves another (Felker's bump-freestack without its
 *     reclaim on out-of-memory): the check is then weakened for that allocator only, by its own
 *     conformance test, and says so in its name.
 * The reverse order is the hard one for a heap: the blocks freed first are the highest, next to
 * the top, and whatever they do not give back (cached blocks, glibc's tcache) keeps the heap from
 * shrinking below them.
 */

import type { Allocator } from '../api.js';

/** What an allocator promises once everything is freed after running out of memory. */
export type OomRecovery = 'any-size' | 'same-size';

/** Options of the recovery check (ConformanceOptions carries them). */
export interface RecoveryOptions {
  oomRecovery: OomRecovery;
  spaceSize: number;
  requests: readonly number[];
  fills: readonly number[];
}

export const DEFAULT_RECOVERY: Readonly<RecoveryOptions> = Object.freeze({
  oomRecovery: 'any-size',
  spaceSize: 64 * 2 ** 20,
  requests: Object.freeze([200 * 1024, 8 * 2 ** 20]),
  fills: Object.freeze([3000, 400]),
});

function mib(n: number): string {
  return `${+(n / 2 ** 20).toFixed(2)} MiB`;
}

function fail(message: string): never {
  throw new Error(message);
}

/** The check's name, which says what it asks for. */
export function recoveryCheckName(o: RecoveryOptions): string {
  return o.oomRecovery === 'any-size'
    ? 'after filling the space and freeing everything, requests of other sizes succeed again'
    : 'after filling the space and freeing everything, the same request succeeds again (oomRecovery: same-size)';
}

/** Runs the check on an allocator made over a fresh space of `o.spaceSize` bytes. */
export function runRecoveryCheck(make: (spaceSize: number) => Allocator, o: RecoveryOptions): void {
  const space = `a ${mib(o.spaceSize)} space`;
  const ask = (a: Allocator, size: number, after: string): void => {
    const p = a.malloc(size);
    if (p === 0) fail(`${after}, malloc(${size}) returned 0 (live blocks ${a.stats().liveBlocks}, ${a.stats().failures} failed requests so far)`);
    a.space.raw.setU8(p, 1);
    a.free(p);
  };
  if (o.oomRecovery === 'any-size') {
    const fresh = make(o.spaceSize);
    for (const size of o.requests) ask(fresh, size, `on a fresh allocator over ${space} (set recoverySpaceSize larger if it cannot hold this request)`);
  }
  for (const fill of o.fills) {
    for (const reverse of [false, true]) {
      const a = make(o.spaceSize);
      const ps: number[] = [];
      const limit = Math.ceil(o.spaceSize / 16) + 1;
      for (;;) {
        const p = a.malloc(fill);
        if (p === 0) break;
        a.space.raw.setU8(p, 1);
        ps.push(p);
        if (ps.length > limit) fail(`malloc(${fill}) never ran out in ${space} (${ps.length} blocks)`);
      }
      if (ps.length === 0) fail(`malloc(${fill}) failed at once in ${space}`);
      const order = reverse ? 'in reverse order' : 'in allocation order';
      const after = `after filling ${space} with ${ps.length} × malloc(${fill}) and freeing them all ${order}`;
      if (reverse) ps.reverse();
      for (const p of ps) a.free(p);
      if (a.stats().liveBlocks !== 0) fail(`${after}, stats() still counts ${a.stats().liveBlocks} live blocks`);
      a.check();
      if (o.oomRecovery === 'any-size') for (const size of o.requests) ask(a, size, after);
      ask(a, fill, after);
      a.check();
    }
  }
}
