/*
 * `heaplab replay [FILE | --workload NAME] [--allocator SPECS] [--runs N] [--footprint] [--native]
 * [--floor] [--profile SPEC] [--ledger FILE | --no-ledger] [--json] [--leaks]`: replays a trace
 * file or a built-in workload with heaplab allocators (and, with --native, the native C driver
 * with glibc and whatever else is installed), and prints its time and memory figures as a table or
 * JSON. It builds a one-source plan and runs it through the experiment protocol (bench/src/lab):
 * each allocator in its own isolate, runs interleaved, memory figures from a footprint run, time
 * with its spread; the record is appended to the ledger. One run (the default) is marked noisy:
 * `--runs 5` gives the spread.
 * `--leaks` replays once more per allocator, event by event with the trace's sites
 * (step-replay.ts), and reports the blocks still live at the end grouped by site, largest first.
 * A kernel-family allocator (buddy, kmalloc, vmalloc) also gets its page frames after the last
 * event — frames in use and their peak, buddyinfo — from one more replay (kernel-physical.ts).
 */

import type { Command } from 'commander';
import { resolve } from 'node:path';
import { createAddressSpace, formatLeakReport, traceModules, type LeakRow, type ReplayResult } from '@heaplab/core';
import { UsageError, allocatorHelp, allocatorOrDefault } from '../../allocators.js';
import { DEFAULT_SEED, workload, workloadSource } from '../../workloads/index.js';
import { parseCount, parseSpaceMib } from '../options.js';
import { replayFooter, replayTable } from '../../metrics/table.js';
import { replayLeaks } from '../../step-replay.js';
import { nativeSkipSummary } from '../../metrics/native.js';
import type { PlanSource } from '../../lab/api.js';
import { resolvePlan } from '../../lab/plan.js';
import { runPlan } from '../../lab/run.js';
import { DEFAULT_LEDGER } from '../../lab/ledger.js';
import { parseSpecList } from '../../lab/spec.js';
import { specFactory } from '../../lab/factory.js';
import { nativeSummary, replayResultOf } from '../../lab/summary.js';
import { openSource } from '../../report/sources.js';
import { formatPhysical, kernelPhysical } from '../../kernel-physical.js';

interface ReplayFlags {
  allocator?: string;
  workload?: string;
  seed: string;
  ops?: string;
  json?: boolean;
  repeat?: string;
  runs?: string;
  footprint?: boolean;
  native?: boolean;
  sampleEvery?: string;
  series?: boolean;
  spaceMib?: string;
  space?: string;
  leaks?: boolean;
  floor?: boolean;
  profile?: string;
  ledger: string | false;
}

export function registerReplay(program: Command): void {
  program
    .command('replay')
    .description('replay a trace or a workload with heaplab allocators (and native ones with --native) and print time and fragmentation')
    .argument('[file]', 'trace file (v1 text, binary, gzip of either)')
    .option('-a, --allocator <specs>', allocatorHelp('allocators, separated by commas, each name[:key=value,…][+wrapper…] or name@module (`heaplab list` names them)'))
    .option('-w, --workload <name>', 'replay a built-in workload instead of a file')
    .option('--seed <n>', 'workload seed', String(DEFAULT_SEED))
    .option('--ops <n>', 'workload events (default: the workload\'s own count)')
    .option('--runs <n>', 'timed runs per allocator, interleaved; time is their median with its spread (default 1, marked noisy)')
    .option('--repeat <n>', 'the same as --runs')
    .option('--footprint', 'footprint touch: also write one byte in every page of each block')
    .option('--native', 'also replay with the native C driver (glibc, and jemalloc, mimalloc, tcmalloc, musl where installed)')
    .option('--sample-every <n>', 'footprint runs: take the space\'s figures every N events (default 4096; 1 is exact and slow); timed speed runs sample only at their end')
    .option('--space <size>', 'size of each run\'s address space: 256m, 4g, 128t (default 4g; above 4g the space is paged, up to 128t = 2^47)')
    .option('--space-mib <n>', 'size of each run\'s address space in MiB (default 4096)')
    .option('--series', 'include the sampled series in --json output')
    .option('--json', 'print JSON instead of a table')
    .option('--leaks', 'also report the blocks still live at the end, grouped by allocation site, largest first')
    .option('--floor', 'also time the replay\'s floor — heaplab\'s engine with a do-nothing allocator (ring-bump, a 4 MiB ring) and, with --native, the C driver with the same — and print each allocator\'s time above its floor over glibc\'s above the driver\'s')
    .option('--profile <spec>', 'write a V8 CPU profile (.cpuprofile, for Chrome DevTools or speedscope) of this allocator\'s first timed run into the working directory')
    .option('--ledger <file>', 'append the run\'s record to this ledger (default: bench/results/ledger.jsonl)')
    .option('--no-ledger', 'append no record')
    .action(async (file: string | undefined, opts: ReplayFlags) => {
      if ((file === undefined) === (opts.workload === undefined)) throw new UsageError('replay: give either a trace FILE or --workload NAME');
      const specs = parseSpecList(allocatorOrDefault(opts.allocator));
      // Unknown names, options and modules are usage errors before anything runs.
      const factories = await Promise.all(specs.map((s) => specFactory(s)));
      const rawRuns = opts.runs ?? opts.repeat;
      const runs = rawRuns !== undefined ? parseCount(rawRuns, opts.runs !== undefined ? '--runs' : '--repeat') : 1;
      if (runs < 1) throw new UsageError(`${opts.runs !== undefined ? '--runs' : '--repeat'}: expected at least 1`);
      const sampleEvery = opts.sampleEvery !== undefined ? parseCount(opts.sampleEvery, '--sample-every') : undefined;
      if (sampleEvery === 0) throw new UsageError('--sample-every: expected at least 1');
      const spaceMib = parseSpaceMib(opts);
      const touch = opts.footprint ? 'footprint' : 'speed';
      let source: PlanSource;
      if (opts.workload !== undefined) {
        workload(opts.workload);
        const seed = parseCount(opts.seed, '--seed');
        if (seed >= 2 ** 32) throw new UsageError(`--seed: expected an integer below 2^32, got "${opts.seed}"`);
        const ops = opts.ops !== undefined ? parseCount(opts.ops, '--ops') : undefined;
        if (ops === 0) throw new UsageError('--ops: expected at least 1');
        source = { source: { kind: 'workload', name: opts.workload, seed, ...(ops !== undefined ? { ops } : {}) } };
      } else source = { source: { kind: 'trace', file: resolve(file!) } };
      const plan = resolvePlan({
        name: 'replay',
        sources: [source],
        allocators: specs.map((s) => s.spec),
        runs,
        touch,
        native: opts.native === true,
        floor: opts.floor === true,
        spaceMib,
        ...(sampleEvery !== undefined ? { sampleEvery } : {}),
        ...(opts.profile !== undefined ? { profile: opts.profile } : {}),
      });
      const log = (s: string): void => void process.stderr.write(`${s}\n`);
      const ledger = opts.ledger === false ? null : resolve(opts.ledger ?? DEFAULT_LEDGER);
      const record = await runPlan(plan, { ledger, log, progress: false });
      const s = record.sources[0]!;
      const failed = s.allocators.filter((a) => a.error !== null);
      if (failed.length > 0) throw new Error(failed.map((a) => `${a.spec}: ${a.error}`).join('\n'));
      const name = openSource(source.source).name;
      const results: ReplayResult[] = s.allocators.map((a) => ({ ...replayResultOf(record, s, a)!, source: name }));
      const native = nativeSummary(s);
      const leaks: LeakRow[][] = [];
      if (opts.leaks) {
        const leakSource = source.source.kind === 'workload' ? workloadSource(workload(source.source.name), { seed: source.source.seed, ops: source.source.ops }) : openSource(source.source);
        for (const f of factories) leaks.push(await replayLeaks(leakSource, f(createAddressSpace({ size: spaceMib * 2 ** 20 }))));
      }
      // Kernel-family allocators (buddy, kmalloc, vmalloc): their page frames after the last event.
      const physical = await kernelPhysical(specs, factories, source.source, spaceMib);
      if (opts.json) {
        const strip = (r: ReplayResult): ReplayResult => (opts.series ? r : { ...r, series: null });
        const leakJson = opts.leaks ? { leaks: Object.fromEntries(specs.map((x, i) => [x.spec, leaks[i]])) } : {};
        console.log(JSON.stringify({ record: ledger === null ? null : record.id, source: name, program: s.program, events: s.events, touch, repeat: runs, runs, heaplab: results.map(strip), native, nativeSkipped: s.nativeSkipped, ...leakJson, ...(physical.length > 0 ? { physical } : {}) }, null, 2));
        return;
      }
      console.log(replayTable(results, native));
      for (const line of replayFooter(results[0]!, touch)) console.log(line);
      if (runs === 1) console.log('time: one run, so its spread is unknown (marked noisy): --runs 5 gives the median and spread of five interleaved runs');
      const skips = nativeSkipSummary(s.nativeSkipped);
      if (skips !== null) console.log(skips);
      if (opts.floor && !opts.native) console.log('floor: only the engine\'s (ring-bump); with --native the C driver\'s floor runs too, and each allocator\'s time above its floor is compared with glibc\'s');
      for (const p of physical) for (const line of formatPhysical(p.label, p.physical)) console.log(line);
      if (ledger !== null) console.log(`record ${record.id} in ${ledger}`);
      if (opts.leaks) {
        // A recorded trace's module map turns its sites into module+offset (and function, with addr2line).
        const modules = source.source.kind === 'trace' ? await traceModules(source.source.file) : undefined;
        for (const [i, x] of specs.entries()) console.log(`\nleaks of ${x.spec}: ${formatLeakReport(leaks[i]!, 20, modules ? { modules } : {}).trimEnd()}`);
      }
    });
}
