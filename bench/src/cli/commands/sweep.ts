/*
 * `heaplab sweep -a SPEC --grid key=v,v… [--grid …] [-w NAMES] [--trace FILES…] [--events N]
 * [--runs N] [--workers N] [--shard i/n] [--native] [--ledger FILE] [-o DIR]`: every combination of
 * the grid's option values as an allocator spec (`dlmalloc-style:mmapThreshold=65536,policy=next-fit`),
 * over the sources, as one plan run by the experiment protocol (bench/src/lab/sweep.ts): footprint
 * runs `--workers` at a time, timed runs one at a time and interleaved. Prints the Pareto front
 * of each source (time per event against M4), writes the record to the ledger and the pictures
 * and tables to the output folder.
 */

import type { Command } from 'commander';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { UsageError } from '../../allocators.js';
import type { PlanSource } from '../../lab/api.js';
import { specFactory } from '../../lab/factory.js';
import { parseAxis } from '../../lab/grid.js';
import { DEFAULT_LEDGER } from '../../lab/ledger.js';
import { frontTable } from '../../lab/pareto.js';
import { runPlan } from '../../lab/run.js';
import { parseShard } from '../../lab/shard.js';
import { sweepPlan, writeSweepReport } from '../../lab/sweep.js';
import { RESULTS_DIR } from '../../report/run.js';
import { DEFAULT_SEED } from '../../workloads/index.js';
import { parseCount } from '../options.js';

interface SweepFlags {
  allocator: string;
  grid: string[];
  workload?: string;
  trace?: string[];
  events?: string;
  seed: string;
  runs: string;
  workers?: string;
  shard?: string;
  native?: boolean;
  ledger: string;
  out?: string;
}

export function registerSweep(program: Command): void {
  program
    .command('sweep')
    .description("a grid of one allocator's options over workloads and traces: one plan, one ledger record, the Pareto front of time against M4")
    .requiredOption('-a, --allocator <spec>', 'the allocator whose options vary (its own options are kept at every point), e.g. dlmalloc-style')
    .requiredOption('--grid <key=values>', 'an option and its values, separated by commas (sizes as 64k, 1m); repeat for more axes', (v: string, all: string[] = []) => [...all, v])
    .option('-w, --workload <names>', 'built-in workloads, separated by commas')
    .option('--trace <files...>', 'trace files')
    .option('--events <n>', 'replay only the first N events of every source')
    .option('--seed <n>', 'workload seed', String(DEFAULT_SEED))
    .option('--runs <n>', 'timed runs of each setting on each source, interleaved', '3')
    .option('--workers <n>', 'footprint runs made at once (default: os.availableParallelism())')
    .option('--shard <i/n>', 'run only the i-th of n disjoint parts of the plan (merge them with heaplab lab merge)')
    .option('--native', 'also run the native allocators on every source')
    .option('--ledger <file>', 'append the record to this ledger', DEFAULT_LEDGER)
    .option('-o, --out <dir>', 'where the tables and pictures go (default: bench/results/sweep/)')
    .action(async (f: SweepFlags) => {
      const events = f.events !== undefined ? parseCount(f.events, '--events') : undefined;
      const seed = parseCount(f.seed, '--seed');
      const sources: PlanSource[] = [
        ...(f.workload ?? '').split(',').map((w) => w.trim()).filter(Boolean).map((name): PlanSource => ({ source: { kind: 'workload', name, seed, ...(events !== undefined ? { ops: events } : {}) } })),
        ...(f.trace ?? []).map((file): PlanSource => ({ source: { kind: 'trace', file: resolve(file) }, ...(events !== undefined ? { events } : {}) })),
      ];
      if (sources.length === 0) throw new UsageError('sweep: give at least one source (-w NAMES or --trace FILES)');
      const plan = sweepPlan({ allocator: f.allocator, axes: f.grid.map(parseAxis), sources, runs: parseCount(f.runs, '--runs'), native: f.native === true });
      // Every point's options are checked against the allocator's schema before anything runs.
      await Promise.all(plan.specs.map((s) => specFactory(s)));
      const workers = f.workers !== undefined ? parseCount(f.workers, '--workers') : availableParallelism();
      const shard = f.shard !== undefined ? parseShard(f.shard) : null;
      const ledger = resolve(f.ledger);
      process.stderr.write(`sweep: ${plan.specs.length} settings × ${plan.sources.length} sources${shard ? `, shard ${shard.index}/${shard.count}` : ''}; footprint runs ${workers} at a time\n`);
      const record = await runPlan(plan, { ledger, shard, workers, log: (s) => void process.stderr.write(`${s}\n`) });
      const phases = record.provenance.phases!;
      console.log(frontTable(record));
      console.log(`\nfootprint runs ${phases.footprintSeconds.toFixed(1)} s (${phases.workers} at a time), timed runs ${phases.timedSeconds.toFixed(1)} s`);
      const dir = resolve(f.out ?? join(RESULTS_DIR, 'sweep'));
      if (shard === null) {
        const files = await writeSweepReport(record, dir);
        console.log(`pictures and tables: ${files.map((x) => x.slice(dir.length + 1)).join(', ')} in ${dir}`);
      } else console.log('a shard draws nothing: merge the shards (heaplab lab merge), then draw the whole with heaplab lab pareto ID');
      console.log(`record ${record.id} appended to ${ledger}`);
    });
}
