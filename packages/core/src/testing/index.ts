/*
 * @heaplab/core/testing: the conformance and fuzz kit. Re-exports only.
 */
export { runConformance, conformanceChecks, opArbitrary, applyOp, type ConformanceOptions, type ConformanceFactory, type ConformanceCheck } from './conformance.js';
export { runRecoveryCheck, recoveryCheckName, DEFAULT_RECOVERY, type OomRecovery, type RecoveryOptions } from './recovery.js';
export { Model, verify, fillPattern, findBrokenByte, formatOp, ConformanceViolation, type Op, type LiveBlock } from './model.js';
export { MISUSE_CASES, runMisuseCase, misuseCase, raisedCode, type MisuseCase, type MisuseOutcome, type Detection } from './misuse.js';
export {
  ATTACKS, attack, runAttack, runAttempt, outcomeWords, entropyBits, offsetEntropy,
  freeListPoisoning, doubleFreeDup, houseOfSpirit, overlappingChunks, poisonNullByte, unsafeUnlink, readAfterFree, predictability,
  type AttackScenario, type AttackAttempt, type AttackOutcome, type AttackFactory, type Primitive, type Stopper,
} from './attacks/index.js';
export { fuzzRuns, fuzzSeed, DEFAULT_FUZZ_RUNS, DEFAULT_FUZZ_SEED } from './fuzz-config.js';
export { startWorker } from './worker.js';
