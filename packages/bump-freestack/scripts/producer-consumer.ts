/*
 * Producer/consumer throughput across workers (a figure, not a test). One heap in a
 * SharedArrayBuffer space; the producer mallocs N blocks (sizes 90% 8–100 B, 10% 101–1,024 B,
 * seeded), writes the first byte and passes each pointer through a single-producer
 * single-consumer ring (4,096 slots) to the consumer, which reads the byte and frees the block —
 * every free is of a block another worker allocated, so blocks travel consumer cache → shared
 * stack → producer cache in batches. Compared, in one run, with one worker doing both halves
 * (malloc into the same ring, free from it once 4,096 are in flight). Reports operations
 * (malloc + free) per second, medians of --runs interleaved runs.
 *
 *   npx tsx packages/bump-freestack/scripts/producer-consumer.ts [--runs N] [--blocks N] [--cache N]
 */
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import { createAddressSpace } from '@heaplab/core';
import { DEFAULT_OPTIONS, createBumpFreestackAllocator } from '../src/index.js';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '5' }, blocks: { type: 'string', default: '2000000' }, cache: { type: 'string' } } });
const RUNS = Number(values.runs);
const BLOCKS = Number(values.blocks);
const CACHE = values.cache === undefined ? DEFAULT_OPTIONS.cacheBlocks : Number(values.cache);
const entry = new URL('./pc-worker.ts', import.meta.url).href;
const boot = new URL('./boot.mjs', import.meta.url);

function start(role: string, space: ReturnType<typeof createAddressSpace>, heapAddress: number, ring: SharedArrayBuffer): { w: Worker; done: Promise<number> } {
  const w = new Worker(boot, { workerData: { entry, role, buffer: space.buffer, heapAddress, ring, blocks: BLOCKS } });
  const done = new Promise<number>((resolve, reject) => {
    w.on('message', (m: { ms?: number }) => { if (m.ms !== undefined) resolve(m.ms); });
    w.once('error', reject);
  });
  return { w, done };
}

async function once(pair: boolean): Promise<number> {
  const space = createAddressSpace({ size: 1024 * 2 ** 20, backing: 'shared' });
  const a = createBumpFreestackAllocator(space, { cacheBlocks: CACHE });
  const ring = new SharedArrayBuffer(4 * (8 + 4096));
  const roles = pair ? ['producer', 'consumer'] : ['both'];
  const ws = roles.map((r) => start(r, space, a.heapAddress, ring));
  // Workers wait at a barrier (ring word 2) until all are up: the clock is theirs.
  const ctl = new Int32Array(ring);
  while (Atomics.load(ctl, 3) < roles.length) await new Promise((r) => setTimeout(r, 5));
  Atomics.store(ctl, 2, 1);
  Atomics.notify(ctl, 2);
  const ms = Math.max(...(await Promise.all(ws.map((x) => x.done))));
  await Promise.all(ws.map((x) => x.w.terminate()));
  a.check();
  if (a.stats().liveBlocks !== 0) throw new Error(`${a.stats().liveBlocks} blocks left live`);
  return (2 * BLOCKS) / (ms / 1000);
}

const one: number[] = [];
const two: number[] = [];
for (let r = 0; r < RUNS; r++) {
  one.push(await once(false));
  two.push(await once(true));
}
const median = (xs: number[]): number => [...xs].sort((x, y) => x - y)[xs.length >> 1]!;
const m1 = median(one);
const m2 = median(two);
console.log(`producer/consumer, ${BLOCKS} blocks, cacheBlocks ${CACHE}, medians of ${RUNS} interleaved runs (node ${process.version})`);
console.log(`  one worker, malloc and free           ${(m1 / 1e6).toFixed(2)} M ops/s`);
console.log(`  two workers, producer → consumer      ${(m2 / 1e6).toFixed(2)} M ops/s   ×${(m2 / m1).toFixed(2)} of one worker`);
