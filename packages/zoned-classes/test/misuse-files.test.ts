/*
 * Every case of MISUSE_CASES has its own test file in test/misuse/, named after it, and no file
 * there names a case that does not exist (so a case added to core is not silently untested).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync } from 'node:fs';
import { MISUSE_CASES } from '@heaplab/core/testing';

test('each misuse case has test/misuse/<case>.test.ts and each such file names a case', () => {
  const files = readdirSync(new URL('./misuse/', import.meta.url)).filter((f) => f.endsWith('.test.ts')).map((f) => f.replace(/\.test\.ts$/, ''));
  const names = MISUSE_CASES.map((c) => c.name);
  assert.equal(names.filter((n) => !files.includes(n)), [], 'cases without a file');
  assert.equal(files.filter((f) => !names.includes(f)), [], 'files without a case');
});

test.run();
