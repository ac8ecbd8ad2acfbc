/*
 * Predictability: how much an attacker who knows one address must guess to know the next ones.
 * Heap grooming (arranging a victim next to an overflowing block, as every technique here does)
 * needs the allocator to place blocks where the attacker expects.
 *
 * The scenario makes the same program under SEEDS seeds (the factory passes the seed to allocators
 * that randomise): 64 mallocs of sizes 16 … 128, every third freed, 32 more mallocs. For each
 * allocation after the first it takes the offset from the first block (what one leaked address
 * gives away) and computes the Shannon entropy of that offset over the seeds; the score is the
 * mean, in bits (at most log2 SEEDS = 4).
 * Outcome: achieved (predictable addresses) when the mean is below 1 bit — one leak and a guess
 * right at least half the time tell where a neighbour is; prevented otherwise, with the bits.
 * Nothing is written and nothing misused, so nothing can be detected.
 */

import type { AttackFactory, AttackOutcome, AttackScenario } from './kit.js';
import { createAddressSpace } from '../../space/address-space.js';

const SEEDS = 16;

function sequence(factory: AttackFactory, seed: number, spaceSize: number): number[] {
  const space = createAddressSpace({ size: spaceSize });
  const a = factory(space, seed);
  const out: number[] = [];
  for (let i = 0; i < 64; i++) out.push(a.malloc(16 + 16 * (i % 8)));
  for (let i = 0; i < 64; i += 3) a.free(out[i]!);
  for (let i = 0; i < 32; i++) out.push(a.malloc(16 + 16 * (i % 8)));
  return out;
}

/** Shannon entropy, in bits, of the values' distribution. */
export function entropyBits(values: readonly number[]): number {
  const counts = new Map<number, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  let h = 0;
  for (const c of counts.values()) {
    const p = c / values.length;
    h -= p * Math.log2(p);
  }
  return h;
}

/** Mean entropy (bits) of the offsets from the first block, over the seeds 1 … seeds. */
export function offsetEntropy(factory: AttackFactory, spaceSize: number, seeds = SEEDS): { bits: number; absoluteBits: number } {
  const runs = Array.from({ length: seeds }, (_, s) => sequence(factory, s + 1, spaceSize));
  const n = runs[0]!.length;
  let rel = 0;
  let abs = 0;
  for (let i = 1; i < n; i++) {
    rel += entropyBits(runs.map((r) => r[i]! - r[0]!));
    abs += entropyBits(runs.map((r) => r[i]!));
  }
  return { bits: rel / (n - 1), absoluteBits: abs / (n - 1) };
}

function runWhole(factory: AttackFactory, spaceSize: number): AttackOutcome {
  const { bits, absoluteBits } = offsetEntropy(factory, spaceSize);
  const said = `${bits.toFixed(2)} bits per address from one leak (${absoluteBits.toFixed(2)} bits without one), over ${SEEDS} seeds`;
  if (bits < 1) return { result: 'achieved', primitive: 'predictable addresses', attempt: 'same sequence, 16 seeds', detail: said };
  return { result: 'prevented', detail: said };
}

export const predictability: AttackScenario = {
  name: 'predictability',
  title: 'predictable addresses',
  what: 'The same sequence of requests under different seeds returns blocks at the same offsets from one another, so one leaked address locates the rest (heap feng shui).',
  source: "Alexander Sotirov, \"Heap Feng Shui in JavaScript\" (Black Hat Europe 2007); hardened_malloc's README on slot randomization",
  writes: `nothing: 96 mallocs and 21 frees under ${SEEDS} seeds; the mean Shannon entropy of each block's offset from the first block`,
  attempts: [],
  runWhole,
};
