/*
 * Four worker_threads on one heap (a SharedArrayBuffer-backed space), each doing at least
 * 200,000 mallocs and frees, a good part of the frees on blocks another worker allocated (passed
 * through rings, protocol.ts). Every block carries its owner's tag, checked before its free; a
 * shared bitmap catches a block handed out twice. At the end every byte of the heap is accounted
 * for: live (the test's own lists) + caches (each worker's report) + free stacks + uncarved +
 * slack + region + pool + abandoned = what the space says the heap was given (sbrk + chunks).
 * Then the workers detach (caches flushed onto the stacks) and the main thread frees the rest.
 * A second run does the same in an 8 MiB space, where mallocs fail and reclaims (which take
 * every free list whole while other workers push and pop) give runs back. A third runs with
 * safe-linking and two-block caches, so the mangled links of the shared stacks are raced. Not a benchmark.
 * BUMP_FREESTACK_OPS and BUMP_FREESTACK_SPACE_MIB change the sizes for experiments.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Worker } from 'node:worker_threads';
import { createAddressSpace } from '@heaplab/core';
import { createBumpFreestackAllocator, type BumpFreestackAllocator, type BumpFreestackOptions } from '../src/index.js';
import { CONTROL_WORDS, GO, RING_SLOTS, RING_WORDS, WORKERS, checkTag, type WorkerDone, type WorkerInit } from './concurrency/protocol.js';

const OPS = Number(process.env.BUMP_FREESTACK_OPS ?? 200_000);
const SPACE = Number(process.env.BUMP_FREESTACK_SPACE_MIB ?? 256) * 2 ** 20;

/** What the space says the heap was given: heap segment + chunk mappings (not metadata, not large blocks). */
function heapBytesFromSpace(a: BumpFreestackAllocator, largeBytes: number): number {
  const space = a.space;
  let mapped = 0;
  for (const m of space.mappings()) if (!m.heap && a.owns(m.start)) mapped += m.end - m.start;
  const c = a.census();
  return space.currentBrk - space.startBrk + mapped - c.metadataBytes - largeBytes;
}

function run(w: Worker): Promise<WorkerDone> {
  return new Promise((resolve, reject) => {
    w.once('message', resolve);
    w.once('error', reject);
  });
}

async function scenario(spaceBytes: number, ops: number, pressure: boolean, options: Partial<BumpFreestackOptions> = {}): Promise<void> {
  const space = createAddressSpace({ size: spaceBytes, backing: 'shared' });
  const a = createBumpFreestackAllocator(space, options);
  const control = new SharedArrayBuffer(4 * CONTROL_WORDS);
  const handed = new SharedArrayBuffer(spaceBytes / 16 / 8);
  const t0 = performance.now();
  const workers = Array.from({ length: WORKERS }, (_, worker) => {
    const init: WorkerInit = { buffer: space.buffer as SharedArrayBuffer, control, handed, heapAddress: a.heapAddress, worker, ops, seed: 0x9e3779b9 ^ (worker * 7919) };
    return new Worker(new URL('./concurrency/boot.mjs', import.meta.url), { workerData: init });
  });
  try {
    await exercise(a, workers, control, t0, ops, pressure);
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

test('4 workers × 200,000 mixed operations on one heap: no block twice, every tag intact, every byte accounted for', () => scenario(SPACE, OPS, false));

test('the same under memory pressure (8 MiB space, 100,000 operations each): failures return 0, reclaims give runs back, still every byte accounted for', () =>
  scenario(8 * 2 ** 20, Math.ceil(OPS / 2), true));

// Safe-linking with two-block caches, so nearly every free and malloc crosses a shared stack: the
// mangled links are read speculatively by racing pops, and a stale one must make the pop retry,
// never report corrupted-link (the workers read the option from the heap's header).
test('with safe-linking and two-block caches (100,000 operations each): no false corrupted-link, no block twice, every byte accounted for', () =>
  scenario(SPACE, Math.ceil(OPS / 2), false, { safeLinking: true, cacheBlocks: 2 }));

async function exercise(a: BumpFreestackAllocator, workers: Worker[], control: SharedArrayBuffer, t0: number, OPS: number, pressure: boolean): Promise<void> {
  const space = a.space;
  const results = workers.map((w) => new Promise<WorkerDone>((resolve, reject) => {
    w.on('message', (m: unknown) => { if (m !== 'ready') resolve(m as WorkerDone); });
    w.once('error', reject);
  }));
  await Promise.all(workers.map(run)); // every worker attached
  const ctl = new Int32Array(control);
  Atomics.store(ctl, GO, 1);
  Atomics.notify(ctl, GO);
  const done = await Promise.all(results);
  const ms = performance.now() - t0;

  // Live blocks: what each worker still holds, and what sits in the rings unfreed.
  const ring = new Int32Array(control);
  const live: { p: number; size: number; tag: number }[] = [];
  for (const d of done) for (let k = 0; k < d.live.length; k += 3) live.push({ p: d.live[k]!, size: d.live[k + 1]!, tag: d.live[k + 2]! });
  for (let w = 0; w < WORKERS; w++) {
    const at = w * RING_WORDS;
    for (let i = ring[at]!; i < ring[at + 1]!; i++) {
      const s = at + 2 + 3 * (i % RING_SLOTS);
      live.push({ p: ring[s]! >>> 0, size: ring[s + 1]!, tag: ring[s + 2]! });
    }
  }
  let usable = 0;
  let largeUsable = 0;
  let bytes = 0;
  for (const b of live) {
    const bad = checkTag(space.u8, space.u32, b.p, b.size, b.tag);
    assert.is(bad, '', bad);
    const u = a.usableSize(b.p);
    usable += u;
    bytes += b.size;
    if (b.size > a.classes[a.classes.length - 1]!.size) largeUsable += u;
  }
  for (const d of done) assert.ok(d.ops >= OPS && d.foreignFrees > OPS / 20, `worker ${d.worker}: ${d.ops} ops, ${d.foreignFrees} frees of other workers' blocks`);
  const c = a.census(); // also checks every structure
  assert.is(c.liveBlocks, live.length, 'live blocks');
  assert.is(c.liveBytes, bytes, 'live requested bytes');
  assert.is(c.usableBytes, usable, 'live usable bytes');
  const cached = done.reduce((s, d) => s + d.cachedBytes, 0);
  assert.is(c.cachedBytes, cached, 'bytes in the workers\' caches');
  const heap = heapBytesFromSpace(a, c.largeBytes);
  const accounted = usable - largeUsable + cached + c.listedBytes + c.uncarvedBytes + c.slackBytes + c.regionBytes + c.pooledBytes + c.abandonedBytes;
  assert.is(accounted, heap, `live ${usable - largeUsable} + caches ${cached} + stacks ${c.listedBytes} + uncarved ${c.uncarvedBytes} + slack ${c.slackBytes} + region ${c.regionBytes} + pool ${c.pooledBytes} + abandoned ${c.abandonedBytes} vs heap ${heap}`);
  const stats = a.stats();
  assert.is(stats.liveBlocks, live.length);
  if (pressure) assert.ok(c.reclaimedRuns > 0 && done.some((d) => d.failures > 0), `under pressure: ${c.reclaimedRuns} runs reclaimed`);

  // Detach: the caches go onto the shared stacks; nothing is lost.
  await Promise.all(workers.map((w) => {
    const p = new Promise((resolve) => w.on('message', (m: unknown) => { if (m === 'detached') resolve(m); }));
    w.postMessage('detach');
    return p;
  }));
  const c2 = a.census();
  assert.is(c2.cachedBytes, 0, 'caches empty after detach');
  assert.is(c2.listedBytes, c.listedBytes + c.cachedBytes, 'flushed blocks are on the stacks');

  // The main thread frees everything left, whoever allocated it.
  for (const b of live) a.free(b.p, b.size);
  const c3 = a.census();
  assert.is(c3.liveBlocks, 0);
  assert.is(a.stats().liveBytes, 0);
  const ops = done.reduce((s, d) => s + d.ops, 0);
  console.log(`  ${WORKERS} workers, ${ops} operations (${done.reduce((s, d) => s + d.foreignFrees, 0)} frees of other workers' blocks) in ${ms.toFixed(0)} ms; heap ${heap} bytes, ${c.runs} runs; ${done.reduce((s, d) => s + d.failures, 0)} failed mallocs, ${c.reclaimedRuns} runs reclaimed`);
}

test.run();
