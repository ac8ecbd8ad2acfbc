import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { MISUSE_CASES } from '@heaplab/core/testing';
import { comparedFactory, comparedNames } from '../../src/adapters/index.js';
import { BENCH_README, matrixMarkdown, misuseMatrix, readSection, replaceSection, updateSection } from '../../src/matrix/index.js';

const names = comparedNames();
const matrix = misuseMatrix(names.map((n) => [n, comparedFactory(n)] as const));

test('every case runs against every allocator, beside hardened_malloc\'s own result', () => {
  assert.equal(matrix.allocators, names);
  assert.equal(matrix.rows.map((r) => r.name), MISUSE_CASES.map((c) => c.name));
  for (const r of matrix.rows) {
    assert.is(r.outcomes.length, names.length);
    assert.match(r.hardenedMalloc, /^detected: /);
  }
  const row = (n: string) => matrix.rows.find((r) => r.name === n)!;
  // Facts the designs promise (their own READMEs): zoned-classes catches all; every allocator catches the interior free.
  const zoned = names.indexOf('zoned-classes');
  if (zoned >= 0) for (const r of matrix.rows) assert.ok(r.outcomes[zoned]!.detected, `zoned-classes misses ${r.name}`);
  for (const o of row('invalid-free-interior').outcomes) assert.ok(o.detected && o.code === 'invalid-free');
});

test('the misuse matrix in bench\'s README is the one this run generates', () => {
  const md = matrixMarkdown(matrix);
  for (const n of names) assert.ok(md.includes(` ${n} |`), `column ${n}`);
  const readme = readFileSync(BENCH_README, 'utf8');
  const current = readSection(readme, 'misuse-matrix');
  assert.ok(current !== null, 'bench/README.md has the <!-- heaplab:misuse-matrix:start --> … end markers');
  if (current !== md) {
    if (process.env.UPDATE_README === '1') {
      updateSection(BENCH_README, 'misuse-matrix', md);
      return;
    }
    assert.unreachable('the misuse matrix in bench/README.md is stale: regenerate it with `UPDATE_README=1 npm test -w heaplab` (or run bench/test/matrix/readme-misuse-matrix.test.ts with that variable) and commit bench/README.md');
  }
});

test('replacing a section keeps everything outside its markers', () => {
  const text = 'a\n<!-- heaplab:x:start -->\nold\n<!-- heaplab:x:end -->\nb\n';
  assert.is(replaceSection(text, 'x', 'new\nlines'), 'a\n<!-- heaplab:x:start -->\nnew\nlines\n<!-- heaplab:x:end -->\nb\n');
  assert.is(readSection(replaceSection(text, 'x', 'new'), 'x'), 'new');
  assert.throws(() => replaceSection(text, 'y', 'z'), /no section <!-- heaplab:y:start -->/);
});

test.run();
