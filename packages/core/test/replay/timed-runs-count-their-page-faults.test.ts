/*
 * A run counts the minor page faults of its timed loop (RunFigures.minorFaults): the first touch
 * of each fresh page of the space's buffer is one, and a replay that writes into 2,000 blocks on
 * pages nobody touched before must count at least 2,000 of them. combineRuns gives the median.
 */

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { chunkSource, combineRuns, createEventChunk, pushEvent, EV_MALLOC, prepareReplay, runReplay } from '../../src/index.js';
import { PageAllocator } from './fixtures/page-allocator.js';

const BLOCKS = 2000;
const PAGE = 4096;

/** 2,000 blocks of three pages, each its own mapping, none freed: every one lands on fresh pages. */
function source() {
  const c = createEventChunk(BLOCKS, 0, [], 'fresh-pages');
  for (let i = 1; i <= BLOCKS; i++) pushEvent(c, EV_MALLOC, i, 0, 3 * PAGE, 0, 0);
  return chunkSource('fresh-pages', [c]);
}

test('a timed run counts at least one page fault per block written on fresh pages', async () => {
  const trace = await prepareReplay(source());
  const runs = [];
  for (let r = 0; r < 3; r++) runs.push(await runReplay(trace, (s) => new PageAllocator(s), { space: { size: 2 ** 26 }, samples: 'end', series: false }));
  for (const run of runs) {
    assert.is(run.failures, 0);
    assert.ok(Number.isInteger(run.minorFaults) && run.minorFaults >= BLOCKS, `faults counted: ${run.minorFaults}`);
  }
  const combined = combineRuns(trace, runs, { samples: 'end' });
  const sorted = runs.map((r) => r.minorFaults).sort((a, b) => a - b);
  assert.is(combined.minorFaultsMedian, sorted[1]);
});

test.run();
