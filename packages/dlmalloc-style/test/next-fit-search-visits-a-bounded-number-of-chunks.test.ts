// Next fit's search reads a bounded number of chunk headers per request, however many in-use
// chunks lie between the rover and the chunk that fits (the cost model of the README: the
// free-size tree skips regions with no fitting free chunk; a search reads the headers of at most
// one region of 1 KiB from the rover's chunk and one region holding the fit, plus regions whose
// bound went stale since they were last searched — each once). Counted with the allocator's
// searchSteps (chunk headers read by next fit's search), not timed.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createAddressSpace } from '@heaplab/core';
import { createDlmallocAllocator } from '../src/index.js';
import { rng } from './helpers/placement-run.js';

test('a request whose only fit lies behind 20,000 in-use chunks reads a few headers, not 20,000', () => {
  const a = createDlmallocAllocator(createAddressSpace({ size: 64 * 2 ** 20 }), { policy: 'next-fit' });
  const hole = a.malloc(2000); // a chunk of 2016 bytes: exactly one request below fits it
  const keep: number[] = [];
  for (let k = 0; k < 20_000; k++) keep.push(a.malloc(32));
  a.free(hole); // the one free chunk that fits 2000 bytes, at the heap base
  const s0 = a.searchSteps;
  const requests = 200;
  for (let k = 0; k < requests; k++) {
    const q = a.malloc(2000);
    assert.is(q, hole, `request ${k} went to ${q.toString(16)}, not into the hole`);
    a.free(q); // the hole again; the rover is just past it, at the first of the 20,000 in-use chunks
  }
  const perRequest = (a.searchSteps - s0) / requests;
  assert.ok(perRequest <= 2 * 64, `next fit read ${perRequest} chunk headers per request`);
  a.check();
});

test('on a seeded run of mixed sizes (about 16,000 live blocks), next fit reads at most 16 headers per request on average', () => {
  const a = createDlmallocAllocator(createAddressSpace({ size: 256 * 2 ** 20 }), { policy: 'next-fit' });
  const r = rng(5);
  const live: number[] = [];
  let requests = 0;
  for (let step = 0; step < 80_000; step++) {
    if (live.length === 0 || r() < 0.6) {
      const u = r();
      const n = u < 0.85 ? 1 + Math.floor(r() * 120) : u < 0.98 ? 120 + Math.floor(r() * 2000) : 3000 + Math.floor(r() * 20000);
      live.push(a.malloc(n));
      requests++;
    } else {
      const i = Math.floor(r() * live.length);
      a.free(live[i]!);
      live[i] = live[live.length - 1]!;
      live.pop();
    }
  }
  const perRequest = a.searchSteps / requests;
  assert.ok(perRequest <= 16, `next fit read ${perRequest.toFixed(1)} chunk headers per request over ${requests} requests`);
  a.check();
});

test.run();
