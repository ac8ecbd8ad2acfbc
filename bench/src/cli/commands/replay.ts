/*
 * `heaplab replay --allocator NAME[,NAME…] [FILE | --workload NAME] [--json] [--repeat N]
 * [--footprint] [--native]`: replays a trace file or a built-in workload with heaplab
 * allocators (and, with --native, the native C driver with glibc and whatever else is
 * installed), and prints the figures of BRIEF §8 as a table or JSON.
 *
 * Runs are interleaved — repeat 1 of every allocator, then repeat 2, … — so the medians and
 * ratios are measured side by side in one run. Each heaplab run gets a fresh address space.
 * Time comes from the timed runs (speed touch, or footprint touch with --footprint); the memory
 * figures (used, M1–M4, mapped, …) always from a footprint-touch run — one more run per
 * allocator unless --footprint — because a speed run leaves the inside of large blocks
 * unwritten and its resident bytes undercount what a program using its blocks would cost.
 * Speed runs take no sample before their last event (a sample's scan evicts the caches and
 * faults pages in; the native driver's timed loop has nothing like it); --sample-every applies
 * to the footprint runs.
 * The native driver reads the text and the binary form: a workload, or a gzipped FILE (the
 * driver reads gzip only where it was built with zlib), is first written to a temporary binary
 * trace, removed afterwards; a plain FILE is given to the driver as it is.
 * `--leaks` replays once more per allocator, event by event with the trace's sites
 * (step-replay.ts), and reports the blocks still live at the end grouped by site, largest first.
 */

import type { Command } from 'commander';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { combineRuns, createAddressSpace, fileSource, formatLeakReport, openTrace, prepareReplay, runReplay, withTimeOf, writeTrace, type LeakRow, type ReplayResult, type RunFigures, type TraceSource } from '@heaplab/core';
import { UsageError } from '../../allocators.js';
import { comparedFactory } from '../../adapters/index.js';
import { DEFAULT_SEED, workload, workloadSource } from '../../workloads/index.js';
import { parseCount } from '../options.js';
import { replayFooter, replayTable, type NativeFigures } from '../../metrics/table.js';
import { combineNative, runNative } from '../../metrics/native.js';
import { replayLeaks } from '../../step-replay.js';
import { RingBumpAllocator } from '../../metrics/bump-allocator.js';

/** The floor's ring, as the native driver's floor (bench/native/replay.c, HEAPLAB_FLOOR) has it. */
const FLOOR_RING_MIB = 4;

interface ReplayFlags {
  allocator: string;
  workload?: string;
  seed: string;
  ops?: string;
  json?: boolean;
  repeat: string;
  footprint?: boolean;
  native?: boolean;
  sampleEvery?: string;
  series?: boolean;
  spaceMib?: string;
  leaks?: boolean;
  floor?: boolean;
}

export function registerReplay(program: Command): void {
  program
    .command('replay')
    .description('replay a trace or a workload with heaplab allocators (and native ones with --native) and print time and fragmentation')
    .argument('[file]', 'trace file (v1 text, binary, gzip of either)')
    .requiredOption('-a, --allocator <names>', 'allocator name, or several separated by commas')
    .option('-w, --workload <name>', 'replay a built-in workload instead of a file')
    .option('--seed <n>', 'workload seed', String(DEFAULT_SEED))
    .option('--ops <n>', 'workload events (default: the workload\'s own count)')
    .option('--repeat <n>', 'runs per allocator; time is their median', '1')
    .option('--footprint', 'footprint touch: also write one byte in every page of each block')
    .option('--native', 'also replay with the native C driver (glibc, and jemalloc, mimalloc, tcmalloc, musl where installed)')
    .option('--sample-every <n>', 'footprint runs: take the space\'s figures every N events (default 4096; 1 is exact and slow); timed speed runs sample only at their end')
    .option('--space-mib <n>', 'size of each run\'s address space in MiB (default 4096)')
    .option('--series', 'include the sampled series in --json output')
    .option('--json', 'print JSON instead of a table')
    .option('--leaks', 'also report the blocks still live at the end, grouped by allocation site, largest first')
    .option('--floor', `also time the replay's floor — heaplab's engine with a do-nothing allocator (ring-bump, a ${FLOOR_RING_MIB} MiB ring) and, with --native, the C driver with the same — and print each allocator's time above its floor over glibc's above the driver's`)
    .action(async (file: string | undefined, opts: ReplayFlags) => {
      if ((file === undefined) === (opts.workload === undefined)) throw new UsageError('replay: give either a trace FILE or --workload NAME');
      const names = opts.allocator.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
      if (names.length === 0) throw new UsageError('--allocator: expected at least one name');
      const factories = names.map((n) => comparedFactory(n));
      if (opts.floor) {
        names.push('ring-bump');
        factories.push((space) => new RingBumpAllocator(space, FLOOR_RING_MIB * 2 ** 20));
      }
      const repeat = parseCount(opts.repeat, '--repeat');
      if (repeat < 1) throw new UsageError('--repeat: expected at least 1');
      const sampleEvery = opts.sampleEvery !== undefined ? parseCount(opts.sampleEvery, '--sample-every') : undefined;
      if (sampleEvery === 0) throw new UsageError('--sample-every: expected at least 1');
      const spaceMib = opts.spaceMib !== undefined ? parseCount(opts.spaceMib, '--space-mib') : 4096;
      if (spaceMib < 1 || spaceMib > 4096) throw new UsageError(`--space-mib: expected 1 to 4096, got ${spaceMib}`);
      const touch = opts.footprint ? 'footprint' : 'speed';

      let source: TraceSource;
      let nativeFile: string | null = null;
      let tmp: string | null = null;
      const log = (s: string): void => void process.stderr.write(`${s}\n`);
      try {
        if (opts.workload !== undefined) {
          const w = workload(opts.workload);
          const seed = parseCount(opts.seed, '--seed');
          if (seed >= 2 ** 32) throw new UsageError(`--seed: expected an integer below 2^32, got "${opts.seed}"`);
          const ops = opts.ops !== undefined ? parseCount(opts.ops, '--ops') : undefined;
          source = workloadSource(w, { seed, ops });
          if (opts.native) {
            tmp = mkdtempSync(join(tmpdir(), 'heaplab-'));
            nativeFile = join(tmp, `${w.name}.hltb`);
            await writeTrace(nativeFile, w.events({ seed, ops }), { program: w.name, format: 'binary' });
          }
        } else {
          source = fileSource(file!);
          if (opts.native) {
            const t = await openTrace(file!);
            if (!t.compressed) {
              t.close();
              nativeFile = file!;
            } else {
              tmp = mkdtempSync(join(tmpdir(), 'heaplab-'));
              nativeFile = join(tmp, 'trace.hltb');
              await writeTrace(nativeFile, t.chunks(), { program: t.program, format: 'binary' });
            }
          }
        }

        const trace = await prepareReplay(source);
        // Timed runs use the chosen touch; memory figures always come from a footprint run
        // (a speed run leaves the inside of large blocks unwritten, so its "used" undercounts).
        const timed: (RunFigures & { allocator: string; allocatorName: string })[][] = names.map(() => []);
        const footprintRuns: (RunFigures & { allocator: string; allocatorName: string })[] = [];
        const nativeTimed: NativeFigures[][] = [];
        let nativeFootprint: NativeFigures[] = [];
        const skipped = new Set<string>();
        const options = { touch, sampleEvery, space: { size: spaceMib * 2 ** 20 } } as const;
        // A speed run is kept for its time only: no sample interrupts it (RunOptions.samples).
        const timedSamples = touch === 'footprint' ? 'periodic' : 'end';
        for (let r = 0; r < repeat; r++) {
          for (let i = 0; i < names.length; i++) {
            const f = await runReplay(trace, factories[i]!, { ...options, samples: timedSamples, series: r === 0 && touch === 'footprint' && opts.series === true });
            timed[i]!.push(f);
            log(`run ${r + 1}/${repeat} ${names[i]}: ${(f.ns / Math.max(1, f.replayed)).toFixed(1)} ns/event (${touch} touch)`);
          }
          if (nativeFile !== null) {
            const n = await runNative(nativeFile, { footprint: touch === 'footprint', floor: opts.floor === true });
            for (const s of n.skipped) skipped.add(s);
            nativeTimed.push(n.figures);
            log(`run ${r + 1}/${repeat} native: ${n.figures.map((x) => `${x.name} ${x.nsPerEvent.toFixed(1)}`).join(', ') || 'none'} ns/event`);
          }
        }
        for (let i = 0; i < names.length; i++) {
          if (touch === 'footprint') footprintRuns.push(timed[i]![0]!);
          else {
            footprintRuns.push(await runReplay(trace, factories[i]!, { ...options, touch: 'footprint', series: opts.series === true }));
            log(`footprint run ${names[i]}: done`);
          }
        }
        if (nativeFile !== null) {
          if (touch === 'footprint') nativeFootprint = nativeTimed[0] ?? [];
          else nativeFootprint = (await runNative(nativeFile, { footprint: true })).figures;
        }
        const results: ReplayResult[] = names.map((_, i) => {
          const time = combineRuns(trace, timed[i]!, { ...options, samples: timedSamples });
          const figures = combineRuns(trace, [footprintRuns[i]!], { ...options, touch: 'footprint' });
          return { ...withTimeOf(figures, time), timedTouch: touch };
        });
        const native = combineNative(nativeTimed).map((n) => ({ ...n, footprint: nativeFootprint.find((f) => f.name === n.name)?.footprint ?? NaN }));
        const leaks: LeakRow[][] = [];
        if (opts.leaks) {
          for (const f of factories) leaks.push(await replayLeaks(source, f(createAddressSpace({ size: spaceMib * 2 ** 20 }))));
        }
        if (opts.json) {
          const strip = (r: ReplayResult): ReplayResult => (opts.series ? r : { ...r, series: null });
          const leakJson = opts.leaks ? { leaks: Object.fromEntries(names.map((n, i) => [n, leaks[i]])) } : {};
          console.log(JSON.stringify({ source: trace.name, program: trace.program, events: trace.events, touch, repeat, heaplab: results.map(strip), native, nativeSkipped: [...skipped], ...leakJson }, null, 2));
          return;
        }
        console.log(replayTable(results, native));
        for (const line of replayFooter(results[0]!, touch)) console.log(line);
        for (const s of skipped) console.log(`native: ${s}`);
        if (opts.floor && !opts.native) console.log('floor: only the engine\'s (ring-bump); with --native the C driver\'s floor runs too, and each allocator\'s time above its floor is compared with glibc\'s');
        for (const [i, n] of names.entries()) if (opts.leaks) console.log(`\nleaks of ${n}: ${formatLeakReport(leaks[i]!).trimEnd()}`);
      } finally {
        if (tmp !== null) rmSync(tmp, { recursive: true, force: true });
      }
    });
}
