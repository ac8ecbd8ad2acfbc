/*
 * `heaplab fuzz [--allocator NAME] [--runs N] [--seed S] [--seconds T] [--examples]`: the
 * conformance kit's property for as long as asked. The allocator defaults to the configured
 * default (`default`, HEAPLAB_DEFAULT); runs to `fuzz.runs` (HEAPLAB_FUZZ__RUNS); the first
 * round's seed to `fuzz.seed` (HEAPLAB_FUZZ__SEED) when one is configured, else a fresh one. Each
 * round's seed is printed, and a failure ends with the command that replays it: the first round
 * of a run started with that seed and those runs draws the same sequences.
 */

import type { Command } from 'commander';
import { conformanceChecks } from '@heaplab/core/testing';
import { comparedFactory } from '../../adapters/index.js';
import { allocatorHelp, allocatorOrDefault, benchRegistry, fuzzSettings } from '../../allocators.js';
import { parseCount } from '../options.js';

/** The seed of the round after a round with `seed`. */
export function nextSeed(seed: number): number {
  return (seed * 1103515245 + 12345) % 2 ** 31;
}

export function registerFuzz(program: Command): void {
  program
    .command('fuzz')
    .description('fuzz an allocator with random malloc/free sequences checked against a model')
    .option('-a, --allocator <name>', allocatorHelp('allocator to fuzz'))
    .option('--runs <n>', 'sequences per round (default: fuzz.runs of the configuration, HEAPLAB_FUZZ__RUNS, else 1000)')
    .option('--seed <n>', 'seed of the first round (default: fuzz.seed of the configuration or HEAPLAB_FUZZ__SEED when set, else random; printed)')
    .option('--seconds <t>', 'keep running rounds with new seeds for this long', '0')
    .option('--examples', 'also run the example checks of the contract', false)
    .action((opts: { allocator?: string; runs?: string; seed?: string; seconds: string; examples: boolean }) => {
      const name = allocatorOrDefault(opts.allocator);
      const factory = comparedFactory(name);
      // What the design promises after out-of-memory, as its strategy declares it (default any-size).
      const entry = benchRegistry().get(name)?.strategy;
      const oomRecovery = entry?.kind === 'allocator' ? (entry.oomRecovery ?? 'any-size') : 'any-size';
      const settings = fuzzSettings({
        runs: opts.runs !== undefined ? parseCount(opts.runs, '--runs') : undefined,
        seed: opts.seed !== undefined ? parseCount(opts.seed, '--seed') : undefined,
      });
      const runs = settings.runs;
      const seconds = parseCount(opts.seconds, '--seconds');
      let seed = settings.seed ?? Math.floor(Math.random() * 2 ** 31);
      const deadline = Date.now() + seconds * 1000;
      let rounds = 0;
      do {
        const checks = conformanceChecks((space) => factory(space), { name, runs, seed, oomRecovery });
        const selected = opts.examples && rounds === 0 ? checks : checks.filter((c) => c.name.includes('fast-check'));
        process.stdout.write(`round ${rounds + 1}: ${runs} sequences, seed ${seed} … `);
        const t0 = performance.now();
        for (const c of selected) {
          try {
            c.run();
          } catch (e) {
            process.stdout.write('failed\n');
            const again = `heaplab fuzz -a ${name} --seed ${seed} --runs ${runs}${opts.examples && rounds === 0 ? ' --examples' : ''}`;
            throw new Error(`${(e as Error).message}\nreproduce with: ${again}`, { cause: e });
          }
        }
        console.log(`ok (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
        rounds++;
        seed = nextSeed(seed);
      } while (Date.now() < deadline);
      console.log(`${name}: ${rounds * runs} sequences passed`);
    });
}
