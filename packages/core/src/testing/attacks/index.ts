/*
 * The attack scenarios, in the order of the attack matrix. Re-exports and the catalogue only.
 */

import type { AttackScenario } from './kit.js';
import { freeListPoisoning } from './free-list-poisoning.js';
import { doubleFreeDup } from './double-free-dup.js';
import { houseOfSpirit } from './house-of-spirit.js';
import { overlappingChunks } from './overlapping-chunks.js';
import { poisonNullByte } from './poison-null-byte.js';
import { unsafeUnlink } from './unsafe-unlink.js';
import { readAfterFree } from './read-after-free.js';
import { predictability } from './predictability.js';

export {
  runAttack, runAttempt, outcomeWords, stopperOf, programMapping, inMapping, snapshot, changedWord, overlaps, ATTACK_SPACE, LINK_OFFSETS, PAIR_OFFSETS,
  type AttackScenario, type AttackAttempt, type AttackOutcome, type AttackFactory, type Primitive, type Stopper, type Reached,
} from './kit.js';
export { freeListPoisoning, doubleFreeDup, houseOfSpirit, overlappingChunks, poisonNullByte, unsafeUnlink, readAfterFree, predictability };
export { entropyBits, offsetEntropy } from './predictability.js';

/** Every scenario, in the matrix's order. */
export const ATTACKS: readonly AttackScenario[] = [
  freeListPoisoning, doubleFreeDup, houseOfSpirit, overlappingChunks, poisonNullByte, unsafeUnlink, readAfterFree, predictability,
];

/** Looks a scenario up by name; throws listing the names when unknown. */
export function attack(name: string): AttackScenario {
  const s = ATTACKS.find((x) => x.name === name);
  if (!s) throw new RangeError(`unknown attack "${name}"; attacks: ${ATTACKS.map((x) => x.name).join(', ')}`);
  return s;
}
