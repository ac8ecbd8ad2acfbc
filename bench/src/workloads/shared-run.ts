/*
 * producer-consumer across workers: the producer-consumer workload's mallocs in one worker and
 * its frees in another, over one bump-freestack heap in a SharedArrayBuffer space — every free
 * a remote free of a block another thread allocated (shared-worker.ts has the protocol). Only
 * allocators whose state lives in the shared buffer and that can attach from a second worker
 * can run it; of the registered ones that is bump-freestack (the others keep state in JS
 * objects of the thread that made them; the `locked` wrapper serialises calls but cannot share
 * such state). Figures: wall time of each side over the run, ns per event (the slower side's
 * time over all events), calls, failures, blocks found broken, and the heap's check() after.
 */

import { createAddressSpace } from '@heaplab/core';
import { startWorker } from '@heaplab/core/testing';
import { createBumpFreestackAllocator } from '@heaplab/bump-freestack';
import { RING, type SharedSideDone, type SharedSideInit } from './shared-worker.js';
import { PRODUCER_CONSUMER } from './producer-consumer.js';

/** The figures of one run across workers. */
export interface SharedRunResult {
  allocator: string;
  workers: 2;
  events: number;
  /** Wall time of the slower side over all events. */
  nsPerEvent: number;
  producer: SharedSideDone;
  consumer: SharedSideDone;
  /** The heap's check() after both sides detached: null when it passed, else its message. */
  check: string | null;
}

/** Allocators that can run across workers. */
export const SHAREABLE = ['bump-freestack'] as const;

/** Runs producer-consumer with the producer and the consumer in two workers. */
export async function runSharedProducerConsumer(options: { seed: number; ops?: number; spaceMib?: number }): Promise<SharedRunResult> {
  const ops = options.ops ?? PRODUCER_CONSUMER.ops;
  if (!Number.isInteger(ops) || ops < 1) throw new RangeError(`ops must be a positive integer, got ${ops}`);
  const space = createAddressSpace({ size: (options.spaceMib ?? 1024) * 2 ** 20, backing: 'shared' });
  const heap = createBumpFreestackAllocator(space);
  const ring = new SharedArrayBuffer(8);
  const slots = new SharedArrayBuffer(16 * RING);
  const url = new URL(import.meta.url.endsWith('.ts') ? './shared-worker.ts' : './shared-worker.js', import.meta.url);
  const sides = (['producer', 'consumer'] as const).map((role) => {
    const init: SharedSideInit = { role, buffer: space.buffer as SharedArrayBuffer, heapAddress: heap.heapAddress, ring, slots, seed: options.seed, ops };
    const w = startWorker(url, { workerData: init });
    return new Promise<SharedSideDone>((resolve, reject) => {
      w.once('message', (m: SharedSideDone) => {
        resolve(m);
        void w.terminate();
      });
      w.once('error', reject);
    });
  });
  const [producer, consumer] = await Promise.all(sides);
  let check: string | null = null;
  try {
    heap.check();
  } catch (e) {
    check = (e as Error).message;
  }
  return { allocator: heap.identity.label, workers: 2, events: ops, nsPerEvent: (Math.max(producer!.ms, consumer!.ms) * 1e6) / ops, producer: producer!, consumer: consumer!, check };
}
