/*
 * A run kept only for its time (`samples: 'end'`) takes one sample, after its last event, so no
 * scan of the space interrupts the timed loop; the time-independent figures of the run (peak
 * and final live bytes, failures, call counts) are the same as with periodic samples.
 */

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { chunkSource, createEventChunk, pushEvent, EV_FREE, EV_MALLOC, prepareReplay, runReplay } from '../../src/index.js';
import { PageAllocator } from './fixtures/page-allocator.js';

/** 20,000 events: blocks allocated and freed in a sliding window of 500 live ones. */
function source() {
  const c = createEventChunk(20_000, 0, [], 'window');
  for (let i = 1; i <= 10_000; i++) {
    pushEvent(c, EV_MALLOC, i, 0, 16 + (i % 200), 0, 0);
    if (i > 500) pushEvent(c, EV_FREE, i - 500, 0, 0, 0, 0);
  }
  return chunkSource('window', [c]);
}

const space = { size: 2 ** 26 };

test('a run with samples "end" is sampled once, after the last event', async () => {
  const trace = await prepareReplay(source());
  const periodic = await runReplay(trace, (s) => new PageAllocator(s), { space, sampleEvery: 1000, series: false });
  const end = await runReplay(trace, (s) => new PageAllocator(s), { space, sampleEvery: 1000, samples: 'end', series: false });
  assert.ok(periodic.samples >= 19, `periodic run: ${periodic.samples} samples`);
  assert.is(end.samples, 1);
  assert.is(end.replayed, periodic.replayed);
  assert.equal(end.live, periodic.live);
  assert.is(end.failures, periodic.failures);
  assert.equal(end.counts, periodic.counts);
});

test('samples must be "periodic" or "end"', async () => {
  const trace = await prepareReplay(source());
  try {
    await runReplay(trace, (s) => new PageAllocator(s), { space, samples: 'never' as 'end' });
    assert.unreachable('accepted samples: never');
  } catch (e) {
    assert.instance(e, RangeError);
    assert.match((e as Error).message, /samples must be 'periodic' or 'end', got never/);
  }
});

test.run();
