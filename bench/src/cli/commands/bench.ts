/*
 * `heaplab bench [--allocator A,B…] [--workload W,…] [--trace FILE…] [--ops N] [--repeat N]
 * [--no-native] [--out DIR] [--json] [--at EVENT] [--map-source NAME] [--no-maps]`: the
 * comparison `npm run bench` runs. With no arguments: every registered allocator and the
 * @thi.ng/malloc adapter, on every built-in workload at bench size and every trace bundled in
 * bench/traces/, with the native allocators of the C driver in the same run. Prints the tables
 * (or the comparison as JSON) and writes results.json, report.md and report.html under
 * bench/results/ (or --out). `--readme` also writes the summary into the root README.
 */

import type { Command } from 'commander';
import { resolve } from 'node:path';
import { UsageError } from '../../allocators.js';
import { comparedFactory, comparedNames } from '../../adapters/index.js';
import { DEFAULT_SEED, workload } from '../../workloads/index.js';
import { compare } from '../../report/compare.js';
import { writeReport } from '../../report/document.js';
import { BENCH_OPS, RESULTS_DIR, comparisonHeapMaps, defaultSources } from '../../report/run.js';
import type { SourceSpec } from '../../report/sources.js';
import { comparisonGrids, comparisonNotes, terminalTable } from '../../report/tables.js';
import { writeReadmeSummary } from '../../report/readme.js';
import { parseCount } from '../options.js';

interface BenchFlags {
  allocator?: string;
  workload?: string;
  trace?: string[];
  traces: boolean;
  ops?: string;
  seed: string;
  repeat: string;
  native: boolean;
  out?: string;
  json?: boolean;
  at?: string;
  mapSource?: string;
  maps: boolean;
  spaceMib: string;
  readme?: boolean;
}

/** Splits a comma list; each name checked by `check` (which throws listing what exists). */
export function nameList(raw: string, flag: string, check: (name: string) => unknown): string[] {
  const names = raw.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  if (names.length === 0) throw new UsageError(`${flag}: expected at least one name`);
  for (const n of names) check(n);
  return names;
}

export function registerBench(program: Command): void {
  program
    .command('bench')
    .description('compare every allocator (and the native ones) on every workload and bundled trace; print the tables, write the report under bench/results/')
    .option('-a, --allocator <names>', 'allocators, separated by commas (default: every registered one and thing-malloc; `heaplab list` names them)')
    .option('-w, --workload <names>', `workloads, separated by commas (default: all; \`heaplab workload list\` names them)`)
    .option('--trace <files...>', 'trace files to compare on too (default: the traces bundled in bench/traces/)')
    .option('--no-traces', 'leave out the bundled traces')
    .option('--ops <n>', `events of every workload (default: churn ${BENCH_OPS.churn}, others ${BENCH_OPS.default})`)
    .option('--seed <n>', 'workload seed', String(DEFAULT_SEED))
    .option('--repeat <n>', 'timed runs per allocator and source; time is their median', '3')
    .option('--no-native', 'leave out the native allocators')
    .option('-o, --out <dir>', 'where the report is written (default: bench/results/)')
    .option('--json', 'print the comparison as JSON instead of tables')
    .option('--at <event>', 'draw the heap maps at this event (default: each allocator\'s peak of used memory)')
    .option('--map-source <name>', 'draw the heap maps on this source (default: the first)')
    .option('--no-maps', 'draw no heap maps')
    .option('--space-mib <n>', 'size of each run\'s address space in MiB', '4096')
    .option('--readme', 'also put the summary tables into the root README (between its heaplab:comparison markers) and its pictures into bench/docs/')
    .action(async (opts: BenchFlags) => {
      const allocators = opts.allocator !== undefined ? nameList(opts.allocator, '--allocator', comparedFactory) : comparedNames();
      const seed = parseCount(opts.seed, '--seed');
      if (seed >= 2 ** 32) throw new UsageError(`--seed: expected an integer below 2^32, got "${opts.seed}"`);
      const ops = opts.ops !== undefined ? parseCount(opts.ops, '--ops') : undefined;
      if (ops === 0) throw new UsageError('--ops: expected at least 1');
      const repeat = parseCount(opts.repeat, '--repeat');
      if (repeat < 1) throw new UsageError('--repeat: expected at least 1');
      const spaceMib = parseCount(opts.spaceMib, '--space-mib');
      if (spaceMib < 1 || spaceMib > 4096) throw new UsageError(`--space-mib: expected 1 to 4096, got ${spaceMib}`);
      const at = opts.at !== undefined ? parseCount(opts.at, '--at') : undefined;
      let sources: SourceSpec[] = defaultSources(seed, ops).filter((s) => opts.traces || s.kind !== 'trace');
      if (opts.workload !== undefined) {
        const names = nameList(opts.workload, '--workload', workload);
        sources = [...names.map((name): SourceSpec => ({ kind: 'workload', name, seed, ops: ops ?? BENCH_OPS[name] ?? BENCH_OPS.default })), ...sources.filter((s) => s.kind === 'trace')];
      }
      if (opts.trace !== undefined) sources = [...sources.filter((s) => s.kind === 'workload'), ...opts.trace.map((f): SourceSpec => ({ kind: 'trace', file: resolve(f) }))];
      const log = (s: string): void => void process.stderr.write(`${s}\n`);
      const c = await compare({ allocators, sources, repeat, native: opts.native, spaceMib }, log);
      const maps = opts.maps ? await comparisonHeapMaps(c, { source: opts.mapSource, at, spaceMib }) : [];
      const dir = resolve(opts.out ?? RESULTS_DIR);
      const files = await writeReport(dir, c, maps);
      if (opts.json) console.log(JSON.stringify(c, null, 2));
      else {
        for (const g of comparisonGrids(c)) console.log(`${terminalTable(g)}\n`);
        for (const n of comparisonNotes(c)) console.log(n);
      }
      log(`report: ${files.join(', ')} (${c.seconds.toFixed(0)} s)`);
      if (opts.readme) log(`README: ${(await writeReadmeSummary(c, maps)).join(', ')}`);
    });
}
