// Every case of the misuse catalogue has its own test file in test/misuse/ asserting this
// allocator's outcome, so a case added to MISUSE_CASES cannot go unanswered.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { MISUSE_CASES } from '@heaplab/core/testing';

test('one test file per MISUSE_CASES entry, and none for a case that does not exist', () => {
  const dir = fileURLToPath(new URL('./misuse/', import.meta.url));
  const files = readdirSync(dir).filter((f) => f.endsWith('.test.ts')).map((f) => f.replace(/\.test\.ts$/, '')).sort();
  assert.equal(files, MISUSE_CASES.map((c) => c.name).sort());
});

test.run();
