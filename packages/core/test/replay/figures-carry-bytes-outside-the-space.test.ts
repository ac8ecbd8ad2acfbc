/*
 * The replay's figures carry what an allocator holds outside the space (stats().externalBytes,
 * its JavaScript objects), which the space's resident pages, so M1–M4, cannot see: the largest
 * value over the samples and the last. PageAllocator keeps each block in a Map (ENTRY_BYTES each).
 */

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { chunkSource, parseTrace, replay, type AllocatorFactory } from '../../src/index.js';
import { ENTRY_BYTES, PageAllocator } from './fixtures/page-allocator.js';
import { TinyAllocator } from '../fixtures/tiny-allocator.js';

const TRACE = `# heaplab-trace v1 outside
a 1 100
a 2 5000
a 3 70
f 2
f 1
a 4 10
f 3
`;

const run = (allocator: AllocatorFactory) =>
  replay({ source: chunkSource('outside', parseTrace(TRACE, 'outside.trace').chunks), allocator, sampleEvery: 1, space: { size: 2 ** 24 } });

test('the replay figures carry the peak and final bytes an allocator holds outside the space', async () => {
  const r = await run((s) => new PageAllocator(s));
  assert.equal(r.external, { peak: 3 * ENTRY_BYTES, final: 1 * ENTRY_BYTES });
});

test('an allocator that keeps everything in the space reports no bytes outside it', async () => {
  const r = await run((s) => new TinyAllocator(s));
  assert.equal(r.external, { peak: 0, final: 0 });
});

test.run();
