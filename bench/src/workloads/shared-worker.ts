/*
 * One side of the producer/consumer run across workers (shared-run.ts). Both sides walk the
 * same producer-consumer events (same seed and count): the producer performs the mallocs, the
 * consumer the frees; a ring of addresses in shared memory carries each message from one to the
 * other in allocation order, which is the order the workload frees them.
 *
 * Ring (Int32Array over its own SharedArrayBuffer): [0] tail (messages produced), [1] head
 * (messages consumed), then RING slots of (address, size) pairs as two Float64 words in a
 * separate Float64Array. The producer waits when tail − head = RING, the consumer when head =
 * tail (Atomics.wait with a timeout). The producer writes the message index's low byte at the
 * first and last byte of each block; the consumer checks both before freeing and counts the
 * blocks found broken. Each side reports its wall time, its calls and its failures.
 */

import { parentPort, workerData } from 'node:worker_threads';
import { attachAddressSpace, EV_FREE, EV_MALLOC } from '@heaplab/core';
import { attachBumpFreestackAllocator } from '@heaplab/bump-freestack';
import { producerConsumer } from './producer-consumer.js';

/** What a side is started with. */
export interface SharedSideInit {
  role: 'producer' | 'consumer';
  buffer: SharedArrayBuffer;
  heapAddress: number;
  ring: SharedArrayBuffer;
  slots: SharedArrayBuffer;
  seed: number;
  ops: number;
}

/** What a side reports. */
export interface SharedSideDone {
  role: 'producer' | 'consumer';
  ms: number;
  calls: number;
  failures: number;
  broken: number;
}

export const RING = 4096;

function run(init: SharedSideInit): SharedSideDone {
  const space = attachAddressSpace(init.buffer);
  const a = attachBumpFreestackAllocator(space, init.heapAddress);
  const ctl = new Int32Array(init.ring);
  const slots = new Float64Array(init.slots);
  const mem = space.raw;
  const producer = init.role === 'producer';
  let calls = 0;
  let failures = 0;
  let broken = 0;
  const t0 = performance.now();
  for (const c of producerConsumer.events({ seed: init.seed, ops: init.ops })) {
    for (let j = 0; j < c.count; j++) {
      const kind = c.kind[j]!;
      if (producer && kind === EV_MALLOC) {
        const tail = Atomics.load(ctl, 0);
        while (tail - Atomics.load(ctl, 1) >= RING) Atomics.wait(ctl, 1, Atomics.load(ctl, 1), 5);
        const n = c.size[j]!;
        const p = a.malloc(n);
        calls++;
        if (p === 0) failures++;
        else {
          mem.setU8(p, tail & 0xff);
          mem.setU8(p + n - 1, tail & 0xff);
        }
        slots[2 * (tail % RING)] = p;
        slots[2 * (tail % RING) + 1] = n;
        Atomics.store(ctl, 0, tail + 1);
        Atomics.notify(ctl, 0);
      } else if (!producer && kind === EV_FREE) {
        const head = Atomics.load(ctl, 1);
        while (Atomics.load(ctl, 0) === head) Atomics.wait(ctl, 0, head, 5);
        const p = slots[2 * (head % RING)]!;
        const n = slots[2 * (head % RING) + 1]!;
        if (p !== 0) {
          if (mem.u8(p) !== (head & 0xff) || mem.u8(p + n - 1) !== (head & 0xff)) broken++;
          a.free(p);
          calls++;
        }
        Atomics.store(ctl, 1, head + 1);
        Atomics.notify(ctl, 1);
      }
    }
  }
  const ms = performance.now() - t0;
  a.detach();
  return { role: init.role, ms, calls, failures, broken };
}

if (parentPort && workerData && (workerData as SharedSideInit).role) parentPort.postMessage(run(workerData as SharedSideInit));
