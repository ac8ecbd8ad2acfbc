/*
 * `heaplab bench [--plan FILE] [--allocator A,B…] [--workload W,…] [--trace FILE…] [--ops N]
 * [--runs N] [--no-native] [--ledger FILE] [--out DIR] [--json] [--at EVENT] [--map-source NAME]
 * [--no-maps] [--readme]`: the comparison `npm run bench` runs. With no arguments it runs the
 * plan bench/plans/bench.json (every registered allocator and the @thi.ng/malloc adapter, every
 * built-in workload and bundled trace, the native allocators, 5 interleaved runs, fixed event
 * windows) through the experiment protocol (bench/src/lab), appends its record to the ledger,
 * prints the tables (or the comparison as JSON) and writes results.json, report.md and
 * report.html under bench/results/ (or --out). The flags change the plan; the record says how.
 * `--readme` also writes the summary into the root README and keeps the record in
 * bench/docs/records.jsonl, the ledger documents quote.
 */

import type { Command } from 'commander';
import { resolve } from 'node:path';
import { UsageError, benchSettings } from '../../allocators.js';
import { DEFAULT_SEED, workload } from '../../workloads/index.js';
import { compare } from '../../report/compare.js';
import { writeReport } from '../../report/document.js';
import { RESULTS_DIR, comparisonHeapMaps } from '../../report/run.js';
import { comparisonGrids, comparisonNotes, terminalTable } from '../../report/tables.js';
import { writeReadmeSummary } from '../../report/readme.js';
import { parseCount } from '../options.js';
import type { PlanSource, ResolvedPlan } from '../../lab/api.js';
import { BENCH_PLAN, readPlanFile, resolvePlan } from '../../lab/plan.js';
import { DEFAULT_LEDGER, DOCS_LEDGER, appendRecord, findRecord } from '../../lab/ledger.js';
import { parseSpecList } from '../../lab/spec.js';
import { specFactory } from '../../lab/factory.js';
import { bundledTraces } from '../../report/sources.js';
import { nativeSkipSummary } from '../../metrics/native.js';

interface BenchFlags {
  allocator?: string;
  workload?: string;
  trace?: string[];
  traces: boolean;
  ops?: string;
  seed?: string;
  runs?: string;
  repeat?: string;
  native: boolean;
  plan?: string;
  ledger?: string;
  out?: string;
  json?: boolean;
  at?: string;
  mapSource?: string;
  maps: boolean;
  spaceMib: string;
  readme?: boolean;
  logCounts?: boolean;
}

/** Splits a comma list; each name checked by `check` (which throws listing what exists). */
export function nameList(raw: string, flag: string, check: (name: string) => unknown): string[] {
  const names = raw.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  if (names.length === 0) throw new UsageError(`${flag}: expected at least one name`);
  for (const n of names) check(n);
  return names;
}

/** The plan the flags ask for: the plan file (default bench/plans/bench.json) changed by the flags. */
export function benchPlan(opts: BenchFlags): ResolvedPlan {
  const base = readPlanFile(resolve(opts.plan ?? BENCH_PLAN));
  let sources: PlanSource[] = base.sources.filter((s) => opts.traces || s.source.kind !== 'trace');
  // Flags over the configuration's bench settings (file or HEAPLAB_BENCH__*) over the plan's.
  const settings = benchSettings();
  const seed = opts.seed !== undefined ? parseCount(opts.seed, '--seed') : settings.seed;
  if (seed !== undefined && seed >= 2 ** 32) throw new UsageError(`--seed: expected an integer below 2^32, got "${opts.seed}"`);
  const ops = opts.ops !== undefined ? parseCount(opts.ops, '--ops') : settings.operations;
  if (ops === 0) throw new UsageError('--ops: expected at least 1');
  if (opts.workload !== undefined) {
    const names = nameList(opts.workload, '--workload', workload);
    sources = [
      ...names.map((name): PlanSource => sources.find((s) => s.source.kind === 'workload' && s.source.name === name) ?? { source: { kind: 'workload', name, seed: DEFAULT_SEED } }),
      ...sources.filter((s) => s.source.kind === 'trace'),
    ];
  }
  sources = sources.map((s) => (s.source.kind !== 'workload' ? s : { ...s, source: { ...s.source, ...(seed !== undefined ? { seed } : {}), ...(ops !== undefined ? { ops } : {}) } }));
  if (opts.trace !== undefined) sources = [...sources.filter((s) => s.source.kind === 'workload'), ...opts.trace.map((f): PlanSource => ({ source: { kind: 'trace', file: resolve(f) } }))];
  else if (opts.traces && !base.sources.some((s) => s.source.kind === 'trace')) sources.push(...bundledTraces().map((file): PlanSource => ({ source: { kind: 'trace', file } })));
  if (sources.length === 0) throw new UsageError('bench: no sources left (give --workload or --trace)');
  const allocators = opts.allocator !== undefined ? parseSpecList(opts.allocator).map((s) => s.spec) : base.allocators;
  const runs = (opts.runs ?? opts.repeat) !== undefined ? parseCount((opts.runs ?? opts.repeat)!, opts.runs !== undefined ? '--runs' : '--repeat') : (settings.repeats ?? base.runs);
  if (runs < 1) throw new UsageError('--runs: expected at least 1');
  const spaceMib = parseCount(opts.spaceMib, '--space-mib');
  if (spaceMib < 1 || spaceMib > 4096) throw new UsageError(`--space-mib: expected 1 to 4096, got ${spaceMib}`);
  return resolvePlan({ ...base, profile: undefined, sampleEvery: base.sampleEvery ?? undefined, sources, allocators, runs, spaceMib, native: opts.native ? base.native : false });
}

export function registerBench(program: Command): void {
  program
    .command('bench')
    .description('compare every allocator (and the native ones) on every workload and bundled trace; print the tables, write the report under bench/results/')
    .option('--plan <file>', 'the plan to run (default: bench/plans/bench.json); the flags below change it')
    .option('-a, --allocator <specs>', 'allocators, separated by commas, each name[:key=value,…][+wrapper…] (default: the plan\'s; `heaplab list` names them)')
    .option('-w, --workload <names>', `workloads, separated by commas (default: all; \`heaplab workload list\` names them)`)
    .option('--trace <files...>', 'trace files to compare on too (default: the traces bundled in bench/traces/)')
    .option('--no-traces', 'leave out the bundled traces')
    .option('--ops <n>', 'events of every workload (default: the plan\'s)')
    .option('--seed <n>', 'workload seed (default: the plan\'s)')
    .option('--runs <n>', 'timed runs per allocator and source, interleaved; time is their median (default: the plan\'s, 5)')
    .option('--repeat <n>', 'the same as --runs')
    .option('--ledger <file>', `append the run's record to this ledger (default: ${'bench/results/ledger.jsonl'})`)
    .option('--no-native', 'leave out the native allocators')
    .option('-o, --out <dir>', 'where the report is written (default: bench/results/)')
    .option('--json', 'print the comparison as JSON instead of tables')
    .option('--at <event>', 'draw the heap maps at this event (default: just after the source\'s peak of live bytes, the same event for every allocator)')
    .option('--log-counts', 'draw the size histograms\' counts on a log axis, so the large-size tail shows')
    .option('--map-source <name>', 'draw the heap maps on this source (default: the first)')
    .option('--no-maps', 'draw no heap maps')
    .option('--space-mib <n>', 'size of each run\'s address space in MiB', '4096')
    .option('--readme', 'also put the summary tables into the root README (between its heaplab:comparison markers) and its pictures into bench/docs/')
    .action(async (opts: BenchFlags) => {
      const plan = benchPlan(opts);
      // Allocators named with -a are checked before anything runs (unknown names, wrappers, modules,
      // options: usage errors). The plan file's own are not: one this installation lacks (first-fit
      // comes from the repository's heaplab.config.json) is recorded as failed and the rest run.
      if (opts.allocator !== undefined) await Promise.all(plan.specs.map((s) => specFactory(s)));
      const at = opts.at !== undefined ? parseCount(opts.at, '--at') : undefined;
      const log = (s: string): void => void process.stderr.write(`${s}\n`);
      const ledger = resolve(opts.ledger ?? DEFAULT_LEDGER);
      const c = await compare(plan, { ledger }, log);
      const maps = opts.maps ? await comparisonHeapMaps(c, { source: opts.mapSource, at, spaceMib: plan.spaceMib }) : [];
      const dir = resolve(opts.out ?? RESULTS_DIR);
      const files = await writeReport(dir, c, maps, { logCounts: opts.logCounts === true });
      if (opts.json) console.log(JSON.stringify(c, null, 2));
      else {
        for (const g of comparisonGrids(c)) console.log(`${terminalTable(g)}\n`);
        for (const n of comparisonNotes(c)) console.log(n);
      }
      const skips = nativeSkipSummary(c.sources.flatMap((s) => s.nativeSkipped));
      if (skips !== null) log(skips);
      log(`record ${c.record} appended to ${ledger}`);
      log(`report: ${files.join(', ')} (${c.seconds.toFixed(0)} s)`);
      if (opts.readme) {
        appendRecord(DOCS_LEDGER, findRecord(ledger, c.record!));
        log(`README: ${(await writeReadmeSummary(c, maps)).join(', ')} (record ${c.record}, kept in ${DOCS_LEDGER})`);
      }
    });
}
