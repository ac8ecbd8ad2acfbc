// In a 4 GiB space mmapped chunks sit just below 2^32, past the signed 32-bit range: every
// address computation must stay unsigned. The conformance property, fewer runs, in such a space.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createAddressSpace } from '@heaplab/core';
import { conformanceChecks } from '@heaplab/core/testing';
import { createDlmallocAllocator } from '../src/index.js';

const property = conformanceChecks((space) => createDlmallocAllocator(space), { name: 'dlmalloc-style 4 GiB', spaceSize: 2 ** 32, runs: 200 }).find((c) => c.name.startsWith('random sequences'))!;
test(`4 GiB space: ${property.name}`, property.run);

test('mmapped blocks above 2^31 are freed, resized and found by blockAt', () => {
  const space = createAddressSpace({ size: 2 ** 32 });
  const a = createDlmallocAllocator(space);
  const p = a.malloc(300_000);
  const q = a.memalign(4096, 150_000);
  assert.ok(p > 2 ** 31 && q > 2 ** 31, `${p} ${q}`);
  assert.equal(a.blockAt(p + 1000), { base: p, size: a.usableSize(p) });
  assert.is(a.realloc(q, 100_000), q);
  a.check();
  a.free(p);
  a.free(q);
  assert.throws(() => a.free(p), /double-free/);
  a.check();
});

test.run();
