/*
 * One worker of the concurrency test (run under tsx: NODE_OPTIONS=--import=tsx is inherited).
 * Attaches to the heap with one call, then does `ops` mallocs and frees: sizes 90% 8–128 B,
 * 9.9% 129–4096 B, 0.1% 150–200 KiB (own mappings); about a third of its frees are handed to the
 * next worker through the ring, and it frees every block the previous worker hands it — after
 * checking that block's tag. Then it reports, waits for 'detach', flushes its caches and exits.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { attachAddressSpace } from '@heaplab/core';
import { attachBumpFreestackAllocator } from '../../src/index.js';
import { GO, RING_SLOTS, RING_WORDS, WORKERS, checkTag, rng, writeTag, type WorkerDone, type WorkerInit } from './protocol.js';

const init = workerData as WorkerInit;
const space = attachAddressSpace(init.buffer);
const a = attachBumpFreestackAllocator(space, init.heapAddress);
const u8 = space.u8;
const u32 = space.u32;
const ring = new Int32Array(init.control);
const handed = new Int32Array(init.handed);
const out = init.worker * RING_WORDS;
const inbound = ((init.worker + WORKERS - 1) % WORKERS) * RING_WORDS;
const random = rng(init.seed);

const fail = (msg: string): never => {
  throw new Error(`worker ${init.worker}: ${msg}`);
};

function markHanded(p: number): void {
  const g = p >>> 4;
  if (Atomics.or(handed, g >>> 5, 1 << (g & 31)) & (1 << (g & 31))) fail(`block 0x${p.toString(16)} was handed out while live elsewhere`);
}
function clearHanded(p: number): void {
  const g = p >>> 4;
  if (!(Atomics.and(handed, g >>> 5, ~(1 << (g & 31))) & (1 << (g & 31)))) fail(`block 0x${p.toString(16)} freed but not marked live`);
}

const live: number[] = []; // triples: address, size, tag
let serial = 0;
const stats: WorkerDone = { worker: init.worker, ops: 0, mallocs: 0, frees: 0, foreignFrees: 0, failures: 0, live: [], cachedBlocks: 0, cachedBytes: 0 };

function size(): number {
  const r = random();
  if (r < 0.9) return 8 + Math.floor(random() * 121);
  if (r < 0.999) return 129 + Math.floor(random() * 3968);
  return 150_000 + Math.floor(random() * 50_000);
}

function freeBlock(p: number, n: number, tag: number): void {
  const bad = checkTag(u8, u32, p, n, tag);
  if (bad) fail(bad);
  clearHanded(p);
  a.free(p, n);
  stats.frees++;
  stats.ops++;
}

function receive(): boolean {
  const head = Atomics.load(ring, inbound);
  if (head === Atomics.load(ring, inbound + 1)) return false;
  const at = inbound + 2 + 3 * (head % RING_SLOTS);
  const p = ring[at]! >>> 0;
  const n = ring[at + 1]!;
  const tag = ring[at + 2]!;
  if (tag >>> 24 !== (init.worker + WORKERS - 1) % WORKERS) fail(`received a block tagged by worker ${tag >>> 24}`);
  freeBlock(p, n, tag);
  stats.foreignFrees++;
  Atomics.store(ring, inbound, head + 1);
  return true;
}

function send(p: number, n: number, tag: number): boolean {
  const tail = Atomics.load(ring, out + 1);
  if (tail - Atomics.load(ring, out) >= RING_SLOTS) return false;
  const at = out + 2 + 3 * (tail % RING_SLOTS);
  ring[at] = p | 0;
  ring[at + 1] = n;
  ring[at + 2] = tag;
  Atomics.store(ring, out + 1, tail + 1);
  return true;
}

parentPort!.postMessage('ready');
Atomics.wait(ring, GO, 0);
while (stats.ops < init.ops) {
  const r = random();
  if (r < 0.3 && receive()) continue;
  const n = live.length / 3;
  if (n > 0 && r < 0.25 + 0.75 * (n / 3000)) {
    const k = Math.floor(random() * n) * 3;
    const p = live[k]!;
    const s = live[k + 1]!;
    const tag = live[k + 2]!;
    live[k] = live[live.length - 3]!;
    live[k + 1] = live[live.length - 2]!;
    live[k + 2] = live[live.length - 1]!;
    live.length -= 3;
    if (random() < 0.35 && send(p, s, tag)) continue;
    freeBlock(p, s, tag);
    continue;
  }
  const s = size();
  const p = a.malloc(s);
  stats.ops++;
  if (p === 0) {
    stats.failures++;
    continue;
  }
  stats.mallocs++;
  markHanded(p);
  const tag = ((init.worker << 24) | (++serial & 0xffffff)) >>> 0;
  writeTag(u8, u32, p, s, tag);
  live.push(p, s, tag);
}

const c = a.cached();
stats.cachedBlocks = c.blocks;
stats.cachedBytes = c.bytes;
stats.live = live;
parentPort!.postMessage(stats);
parentPort!.on('message', (m: string) => {
  if (m === 'detach') {
    a.detach();
    parentPort!.postMessage('detached');
    parentPort!.close();
  }
});
