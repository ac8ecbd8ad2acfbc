import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startWorker } from '../../src/testing/index.js';
import { createAddressSpace, createIdentity } from '../../src/index.js';

test('a worker attached to a shared space maps and writes concurrently with the main thread, and each sees the other', async () => {
  const space = createAddressSpace({ size: 256 * 2 ** 20, backing: 'shared' });
  const count = 2000;
  const worker = startWorker(new URL('../fixtures/space-worker.ts', import.meta.url), { workerData: { buffer: space.buffer, count, tag: 0x77 } });
  const theirs = new Promise<number[]>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  const me = createIdentity({ name: 'main', family: 'test', description: 'the main thread' });
  const mine: number[] = [];
  for (let i = 0; i < count; i++) {
    const a = space.mmap(0, 4096 * (1 + (i % 2)), 3, 0, me);
    space.fill(a, 0x11, 4096);
    mine.push(a);
    if (i % 5 === 0) space.sbrk(16);
  }
  const other = await theirs;
  await worker.terminate();
  const all = new Set([...mine, ...other]);
  assert.is(all.size, 2 * count, 'no address was handed to both threads');
  for (const a of mine) assert.is(space.u8[a + 100], 0x11, `main's page ${a.toString(16)} kept its bytes`);
  for (const a of other) assert.is(space.u8[a + 100], 0x77, `worker's page ${a.toString(16)} kept its bytes`);
  const labels = new Set(space.mappings().map((m) => m.ownerName.replace(/#\d+$/, '')));
  assert.ok(labels.has('main') && labels.has('worker-119'), `both owners appear in maps(): ${[...labels].join(', ')}`);
  assert.is(space.currentBrk - space.startBrk, 16 * (Math.ceil(count / 5) + Math.ceil(count / 7)), 'every sbrk from both threads counted');
});

test.run();
