/*
 * Each attack scenario recognises its primitive when the allocator does nothing against it (a
 * naive LIFO free list, naive-free-list.ts), and the runner turns errors into detections: a
 * scenario's outcome is the allocator's, not an artefact of the scenario.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { AllocatorError, type AddressSpace } from '../../../src/index.js';
import {
  ATTACKS, attack, doubleFreeDup, entropyBits, freeListPoisoning, houseOfSpirit, outcomeWords, overlappingChunks, predictability,
  readAfterFree, runAttack, runAttempt,
} from '../../../src/testing/index.js';
import { NaiveFreeList } from './naive-free-list.js';

const naive = (space: AddressSpace) => new NaiveFreeList(space);

test('free-list poisoning: malloc returns the forged address', () => {
  assert.is(outcomeWords(runAttack(freeListPoisoning, naive)), 'achieved: chosen address returned');
});

test('double free: the same block is handed out twice', () => {
  assert.is(outcomeWords(runAttack(doubleFreeDup, naive)), 'achieved: overlapping live blocks');
});

test('house of spirit: malloc returns memory inside a live block', () => {
  assert.is(outcomeWords(runAttack(houseOfSpirit, naive)), 'achieved: overlapping live blocks');
});

test('overlapping chunks: an enlarged size hands out memory over the next live block', () => {
  assert.is(outcomeWords(runAttack(overlappingChunks, naive)), 'achieved: overlapping live blocks');
});

test('read after free: a freed block shows its link, a heap address', () => {
  assert.is(outcomeWords(runAttack(readAfterFree, naive)), 'achieved: leak of a heap address');
});

test('predictability: the same addresses under every seed, 0 bits', () => {
  const o = runAttack(predictability, naive);
  assert.is(outcomeWords(o), 'achieved: predictable addresses');
  assert.match(o.detail, /^0\.00 bits/);
  assert.is(entropyBits([1, 1, 1, 1]), 0);
  assert.is(entropyBits([1, 2, 3, 4]), 2);
});

test('an allocator error stops an attempt as a detection with its code; any other error as a crash', () => {
  const raising = { name: 'raises', run: () => { throw new AllocatorError('double-free', 'x'); } };
  const o = runAttempt(raising, naive);
  assert.is(outcomeWords(o), 'detected: double-free');
  const broken = { name: 'breaks', run: () => { throw new TypeError('y'); } };
  assert.is(outcomeWords(runAttempt(broken, naive)), 'detected: crash');
  assert.is(outcomeWords(runAttempt({ name: 'nothing', run: () => 'no primitive' }, naive)), 'prevented');
});

test('the catalogue names every technique once and finds them by name', () => {
  assert.equal(ATTACKS.map((s) => s.name), ['free-list-poisoning', 'double-free-dup', 'house-of-spirit', 'overlapping-chunks', 'poison-null-byte', 'unsafe-unlink', 'read-after-free', 'predictability']);
  for (const s of ATTACKS) {
    assert.is(attack(s.name), s);
    assert.ok(s.what.length > 0 && s.source.length > 0 && s.writes.length > 0, s.name);
  }
  assert.throws(() => attack('nope'), /unknown attack "nope"/);
});

test.run();
