/*
 * The state of a run at one event: replays the first `at` events of a source with an allocator
 * over a fresh space, writing into blocks as a footprint run does (first byte, last byte, one
 * byte per page between, through the space's checked stores so residency is exact), and keeps
 * the space and the live blocks. What `heaplab maps` prints and the heap map draws.
 *
 * Slow on purpose (a Map entry per live block, checked stores): it runs once, up to one event.
 * Events on ids never allocated are skipped and counted, as the replay engine does.
 */

import { createAddressSpace, EV_CALLOC, EV_FREE, EV_MALLOC, EV_MEMALIGN, EV_REALLOC, type AddressSpace, type Allocator, type TraceSource } from '@heaplab/core';
import type { NamedFactory } from '../allocators.js';

/** A live block: its address and requested size. */
export interface SnapshotBlock {
  ptr: number;
  size: number;
}

/** The space, allocator and live blocks after `events` events. */
export interface Snapshot {
  space: AddressSpace;
  allocator: Allocator;
  /** Events applied (fewer than asked when the source is shorter). */
  events: number;
  blocks: SnapshotBlock[];
  liveBytes: number;
  unknownIds: number;
  failures: number;
}

const TOUCH = 0x5a;

function touch(space: AddressSpace, p: number, n: number): void {
  if (n === 0) return;
  space.store8(p, TOUCH);
  const last = p + n - 1;
  if (last === p) return;
  space.store8(last, TOUCH);
  const ps = space.pageSize;
  for (let a = (Math.floor(p / ps) + 1) * ps; a < last; a += ps) space.store8(a, TOUCH);
}

/** Replays events [0, at) of `source` (all with at = Infinity) and returns the state. */
export async function snapshotAt(
  source: TraceSource,
  factory: NamedFactory,
  at: number,
  spaceMib = 4096,
  /** Called after each event with the count applied so far (a series sampled along the way). */
  afterEvent?: (events: number, allocator: Allocator) => void,
): Promise<Snapshot> {
  if (!(at >= 0)) throw new RangeError(`at must be a non-negative event index, got ${at}`);
  const space = createAddressSpace({ size: spaceMib * 2 ** 20 });
  const a = factory(space);
  const live = new Map<number, SnapshotBlock>();
  let events = 0;
  let unknownIds = 0;
  let failures = 0;
  outer: for await (const c of source.open()) {
    for (let j = 0; j < c.count; j++) {
      if (events >= at) break outer;
      events++;
      const apply = (): void => {
        const kind = c.kind[j]!;
        const id = c.id[j]!;
        const size = c.size[j]!;
        if (kind === EV_FREE) {
          const b = live.get(id);
          if (!b) unknownIds++;
          else {
            a.free(b.ptr);
            live.delete(id);
          }
          return;
        }
        let p = 0;
        if (kind === EV_MALLOC) p = a.malloc(size);
        else if (kind === EV_CALLOC) p = a.calloc(1, size);
        else if (kind === EV_MEMALIGN) p = a.memalign(c.arg[j]!, size);
        else if (kind === EV_REALLOC) {
          const old = c.arg[j]!;
          const b = old === 0 ? undefined : live.get(old);
          if (old !== 0 && !b) {
            unknownIds++;
            return;
          }
          p = a.realloc(b ? b.ptr : 0, size);
          if (b && (size === 0 || p !== 0)) live.delete(old);
          if (size === 0) return;
        }
        if (p === 0) failures++;
        else {
          touch(space, p, size);
          if (id !== 0) live.set(id, { ptr: p, size });
        }
      };
      apply();
      afterEvent?.(events, a);
    }
  }
  space.stats(); // the residency scan: pages only the allocator wrote count from here
  const blocks = [...live.values()].sort((x, y) => x.ptr - y.ptr);
  return { space, allocator: a, events, blocks, liveBytes: blocks.reduce((s, b) => s + b.size, 0), unknownIds, failures };
}
