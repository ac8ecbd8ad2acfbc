/*
 * A worker of producer-consumer.ts: role 'producer' (malloc, write, pass), 'consumer' (receive,
 * read, free) or 'both' (one worker does both halves through the same ring). Ring words:
 * 0 head, 1 tail, 2 go flag, 3 workers ready, 8… the slots.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { attachAddressSpace } from '@heaplab/core';
import { attachBumpFreestackAllocator } from '../src/index.js';

const { role, buffer, heapAddress, ring, blocks } = workerData as { role: string; buffer: SharedArrayBuffer; heapAddress: number; ring: SharedArrayBuffer; blocks: number };
const space = attachAddressSpace(buffer);
const a = attachBumpFreestackAllocator(space, heapAddress);
const u8 = space.u8;
const q = new Int32Array(ring);
const SLOTS = 4096;
const BATCH = 64;
let s = 0x2545f491;
const size = (): number => {
  s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
  return (s & 1023) < 922 ? 8 + (s >>> 10) % 93 : 101 + (s >>> 10) % 924;
};

Atomics.add(q, 3, 1);
Atomics.wait(q, 2, 0);
const t0 = performance.now();
if (role === 'both') {
  const local = new Float64Array(SLOTS);
  for (let i = 0; i < blocks; i++) {
    if (i >= SLOTS) {
      const p = local[i % SLOTS]!;
      if (u8[p] !== 7) throw new Error('bad byte');
      a.free(p);
    }
    const p = a.malloc(size());
    u8[p] = 7;
    local[i % SLOTS] = p;
  }
  for (let i = Math.max(0, blocks - SLOTS); i < blocks; i++) a.free(local[i % SLOTS]!);
} else if (role === 'producer') {
  // Publishes the tail every BATCH blocks; waits (yielding the core) while the ring is full.
  for (let i = 0; i < blocks; i++) {
    const p = a.malloc(size());
    u8[p] = 7;
    let head = q[0]!;
    for (let spin = 0; i - head >= SLOTS; spin++) {
      if (spin > 200) Atomics.wait(q, 0, head, 0.05);
      head = Atomics.load(q, 0);
    }
    q[8 + (i % SLOTS)] = p;
    if ((i + 1) % BATCH === 0 || i + 1 === blocks) Atomics.store(q, 1, i + 1);
  }
} else {
  for (let i = 0; i < blocks; ) {
    let tail = Atomics.load(q, 1);
    for (let spin = 0; tail <= i; spin++) {
      if (spin > 200) Atomics.wait(q, 1, tail, 0.05);
      tail = Atomics.load(q, 1);
    }
    for (; i < tail; i++) {
      const p = q[8 + (i % SLOTS)]! >>> 0;
      if (u8[p] !== 7) throw new Error('bad byte');
      a.free(p);
    }
    Atomics.store(q, 0, i);
  }
}
const ms = performance.now() - t0;
a.detach();
parentPort!.postMessage({ ms });
