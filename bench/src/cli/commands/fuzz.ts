/*
 * `heaplab fuzz --allocator NAME [--runs N] [--seed S] [--seconds T]`: the conformance kit's
 * property for as long as asked. Each round runs `--runs` sequences with a fresh seed (printed),
 * so a failure can be replayed with HEAPLAB_FUZZ__SEED=<seed> or `--seed`.
 */

import type { Command } from 'commander';
import { conformanceChecks } from '@heaplab/core/testing';
import { comparedFactory } from '../../adapters/index.js';
import { parseCount } from '../options.js';

export function registerFuzz(program: Command): void {
  program
    .command('fuzz')
    .description('fuzz an allocator with random malloc/free sequences checked against a model')
    .requiredOption('-a, --allocator <name>', 'allocator to fuzz')
    .option('--runs <n>', 'sequences per round', '1000')
    .option('--seed <n>', 'seed of the first round (default: random, printed)')
    .option('--seconds <t>', 'keep running rounds with new seeds for this long', '0')
    .option('--examples', 'also run the example checks of the contract', false)
    .action((opts: { allocator: string; runs: string; seed?: string; seconds: string; examples: boolean }) => {
      const factory = comparedFactory(opts.allocator);
      const runs = parseCount(opts.runs, '--runs');
      const seconds = parseCount(opts.seconds, '--seconds');
      let seed = opts.seed !== undefined ? parseCount(opts.seed, '--seed') : Math.floor(Math.random() * 2 ** 31);
      const deadline = Date.now() + seconds * 1000;
      let rounds = 0;
      do {
        const checks = conformanceChecks((space) => factory(space), { name: opts.allocator, runs, seed });
        const selected = opts.examples && rounds === 0 ? checks : checks.filter((c) => c.name.includes('fast-check'));
        process.stdout.write(`round ${rounds + 1}: ${runs} sequences, seed ${seed} … `);
        const t0 = performance.now();
        for (const c of selected) c.run();
        console.log(`ok (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
        rounds++;
        seed = (seed * 1103515245 + 12345) % 2 ** 31;
      } while (Date.now() < deadline);
      console.log(`${opts.allocator}: ${rounds * runs} sequences passed`);
    });
}
