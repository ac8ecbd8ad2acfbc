/*
 * The attack matrix: every technique of @heaplab/core/testing's ATTACKS against every allocator
 * configuration (defaults, each preset or policy, safe-linking on, under the checking wrapper),
 * facts the designs promise, and the matrix in bench's README being the one this run generates.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { ATTACKS, outcomeWords } from '@heaplab/core/testing';
import { comparedNames } from '../../src/adapters/index.js';
import { BENCH_README, attackMarkdown, attackMatrix, attackSubjects, readSection, updateSection } from '../../src/matrix/index.js';

const names = comparedNames();
const matrix = attackMatrix(attackSubjects(names));
const cell = (label: string, technique: string): string => {
  const row = matrix.rows.find((r) => r.label === label);
  assert.ok(row, `row ${label}`);
  return outcomeWords(row!.outcomes[ATTACKS.findIndex((t) => t.name === technique)]!);
};

test('every technique runs against every configuration of every allocator, and no cell is empty', () => {
  assert.equal(matrix.techniques.map((t) => t.name), ATTACKS.map((t) => t.name));
  for (const n of names) {
    assert.ok(matrix.rows.some((r) => r.label === n), `defaults of ${n}`);
    assert.ok(matrix.rows.some((r) => r.label === `checking(${n})`), `${n} under the checking wrapper`);
  }
  for (const r of matrix.rows) {
    assert.is(r.outcomes.length, ATTACKS.length);
    for (const o of r.outcomes) assert.match(outcomeWords(o), /^(achieved: .+|detected: .+|prevented)$/, r.label);
  }
  if (names.includes('zoned-classes')) assert.ok(matrix.rows.some((r) => r.label === 'zoned-classes (preset=light)'));
  if (names.includes('dlmalloc-style')) assert.ok(matrix.rows.some((r) => r.label === 'dlmalloc-style (policy=next-fit)'));
});

test('safe-linking turns free-list poisoning from achieved into detected in bump-freestack and dlmalloc-style', () => {
  for (const n of ['bump-freestack', 'dlmalloc-style'].filter((x) => names.includes(x))) {
    assert.is(cell(n, 'free-list-poisoning'), 'achieved: chosen address returned', n);
    assert.is(cell(`${n} + safe-linking`, 'free-list-poisoning'), 'detected: corrupted-link', n);
  }
  if (names.includes('dlmalloc-style')) {
    assert.is(cell('dlmalloc-style', 'unsafe-unlink'), 'achieved: chosen address written');
    assert.is(cell('dlmalloc-style + safe-linking', 'unsafe-unlink'), 'detected: corrupted-link');
  }
});

test('each technique has an allocator whose outcome its design fixes', () => {
  if (names.includes('dlmalloc-style')) {
    // Boundary tags: the double free is seen in the header, a forged chunk has no start bit, the
    // canary in the next chunk's prev_foot is what an overflow into the header or a NUL byte hits first.
    assert.is(cell('dlmalloc-style', 'double-free-dup'), 'detected: double-free');
    assert.is(cell('dlmalloc-style', 'house-of-spirit'), 'detected: invalid-free');
    assert.is(cell('dlmalloc-style', 'overlapping-chunks'), 'detected: canary-corrupted');
    assert.is(cell('dlmalloc-style', 'poison-null-byte'), 'detected: canary-corrupted');
    assert.is(cell('dlmalloc-style', 'read-after-free'), 'achieved: leak of a heap address');
  }
  if (names.includes('bump-freestack')) {
    // Sizes out of band and no coalescing: nothing for an overflow to enlarge; the same addresses every time.
    assert.is(cell('bump-freestack', 'overlapping-chunks'), 'prevented');
    assert.is(cell('bump-freestack', 'predictability'), 'achieved: predictable addresses');
  }
  if (names.includes('zoned-classes')) {
    // hardened_malloc's design: zero on free and the write-after-free check, quarantine, random slots.
    assert.is(cell('zoned-classes', 'free-list-poisoning'), 'detected: write-after-free');
    assert.is(cell('zoned-classes', 'read-after-free'), 'prevented');
    assert.is(cell('zoned-classes', 'predictability'), 'prevented');
  }
  if (names.includes('mmap-pages')) assert.is(cell('mmap-pages', 'free-list-poisoning'), 'detected: segfault');
});

test('the attack matrix in bench\'s README is the one this run generates', () => {
  const md = attackMarkdown(matrix);
  const readme = readFileSync(BENCH_README, 'utf8');
  const current = readSection(readme, 'attack-matrix');
  assert.ok(current !== null, 'bench/README.md has the <!-- heaplab:attack-matrix:start --> … end markers');
  if (current !== md) {
    if (process.env.UPDATE_README === '1') {
      updateSection(BENCH_README, 'attack-matrix', md);
      return;
    }
    assert.unreachable('the attack matrix in bench/README.md is stale: regenerate it with `UPDATE_README=1 npm test -w heaplab` (or run bench/test/matrix/readme-attack-matrix.test.ts with that variable) and commit bench/README.md');
  }
});

test.run();
