/*
 * `heaplab maps [--allocator A] (--workload W | FILE) [--at EVENT|peak] [--svg FILE] [--json]`:
 * the simulated address space in /proc/<pid>/maps form at one point of a run — after the
 * first EVENT events (default: all of them; `peak`: the event of peak used memory, found by a
 * footprint replay first; past the run's last event: an error saying how many there are). Blocks are written as a footprint run writes them, so residency is
 * what the replay measures. `--svg` also draws the heap map of that point. `--buddyinfo` prints,
 * instead of the mappings, the physical memory of a kernel-family allocator (buddy, kmalloc,
 * vmalloc) at that point: frames in use, the free blocks per order as /proc/buddyinfo, the
 * unusable free space index per order; with `--every N`, one line every N events up to that point
 * (fragmentation of physical memory over time).
 */

import type { Command } from 'commander';
import { createAddressSpace, prepareReplay, runReplay, writeFileAtomic, type TraceSource } from '@heaplab/core';
import { UsageError, allocatorHelp, allocatorOrDefault } from '../../allocators.js';
import { comparedFactory } from '../../adapters/index.js';
import { DEFAULT_SEED, workload } from '../../workloads/index.js';
import { heapMap } from '../../report/heap-map.js';
import { heapMapSpec, renderSvg } from '../../report/plots.js';
import { snapshotAt } from '../../report/snapshot.js';
import { openSource, sourceName, type SourceSpec } from '../../report/sources.js';
import { parseCount, parseSpaceMib } from '../options.js';
import { buddyinfoSeries, formatPhysical, formatSeries, physicalOf } from '../../kernel-physical.js';

interface MapsFlags {
  allocator?: string;
  workload?: string;
  seed: string;
  ops?: string;
  at?: string;
  svg?: string;
  json?: boolean;
  buddyinfo?: boolean;
  every?: string;
  spaceMib?: string;
  space?: string;
}

export function registerMaps(program: Command): void {
  program
    .command('maps')
    .description('the address space in /proc/<pid>/maps form at a point of a run (and its heap map as SVG)')
    .argument('[file]', 'trace file to replay (or --workload)')
    .option('-a, --allocator <name>', allocatorHelp('allocator to run'))
    .option('-w, --workload <name>', 'replay a built-in workload instead of a file')
    .option('--seed <n>', 'workload seed', String(DEFAULT_SEED))
    .option('--ops <n>', 'workload events (default: the workload\'s own count)')
    .option('--at <event>', 'stop before this event index, or "peak" for the peak of used memory (default: after the last event)')
    .option('--svg <file>', 'also write the heap map of that point as SVG')
    .option('--space <size>', 'size of the address space: 256m, 4g, 128t (default 4g; above 4g the space is paged, up to 128t = 2^47)')
    .option('--space-mib <n>', 'size of the address space in MiB (default 4096)')
    .option('--json', 'print the mappings and the figures as JSON')
    .option('--buddyinfo', 'print the physical memory of a kernel-family allocator (buddy, kmalloc, vmalloc) instead: frames in use and the free blocks per order, as /proc/buddyinfo')
    .option('--every <n>', 'with --buddyinfo: one buddyinfo line every N events up to --at (physical fragmentation over time)')
    .action(async (file: string | undefined, opts: MapsFlags) => {
      if ((file === undefined) === (opts.workload === undefined)) throw new UsageError('maps: give either a trace FILE or --workload NAME');
      const name = allocatorOrDefault(opts.allocator);
      const factory = comparedFactory(name);
      const spaceMib = parseSpaceMib(opts);
      let spec: SourceSpec;
      if (opts.workload !== undefined) {
        workload(opts.workload);
        const seed = parseCount(opts.seed, '--seed');
        if (seed >= 2 ** 32) throw new UsageError(`--seed: expected an integer below 2^32, got "${opts.seed}"`);
        spec = { kind: 'workload', name: opts.workload, seed, ops: opts.ops !== undefined ? parseCount(opts.ops, '--ops') : undefined };
      } else spec = { kind: 'trace', file: file! };
      const source: TraceSource = openSource(spec);
      if (opts.every !== undefined && !opts.buddyinfo) throw new UsageError('--every: only with --buddyinfo');
      let at = Infinity;
      if (opts.at === 'peak') {
        const f = await runReplay(await prepareReplay(source), factory, { touch: 'footprint', series: false, sampleEvery: 1024, space: { size: spaceMib * 2 ** 20 } });
        at = f.used.peakEvent + 1;
      } else if (opts.at !== undefined) at = parseCount(opts.at, '--at');
      if (opts.every !== undefined) {
        const every = parseCount(opts.every, '--every');
        if (every < 1) throw new UsageError('--every: expected at least 1');
        const probe = factory(createAddressSpace({ size: spaceMib * 2 ** 20 }));
        if (physicalOf(probe) === null) throw new UsageError(`--buddyinfo: ${name} has no physical memory of its own; the kernel-family allocators (buddy, kmalloc, vmalloc) have`);
        const series = await buddyinfoSeries(source, factory, every, at, spaceMib);
        if (opts.json) console.log(JSON.stringify({ allocator: series.label, samples: series.samples }, null, 2));
        else for (const line of formatSeries(series.label, series.samples)) console.log(line);
        return;
      }
      const snap = await snapshotAt(source, factory, at, spaceMib);
      if (Number.isFinite(at) && snap.events < at) throw new UsageError(`--at ${at}: ${source.name} has only ${snap.events} events; give an event up to ${snap.events}, or leave --at out for the state after the last`);
      const st = snap.space.stats();
      const summary = `after ${snap.events} events of ${source.name} with ${snap.allocator.identity.label}: ${snap.blocks.length} live blocks, ${snap.liveBytes} bytes live; mapped ${st.mapped}, committed ${st.committed}, resident ${st.resident} bytes; brk ${'0x' + st.brk.toString(16)}`;
      if (opts.svg !== undefined) {
        const m = heapMap(snap.space, snap.blocks, { allocator: name, source: sourceName(spec), event: snap.events });
        await writeFileAtomic(opts.svg, await renderSvg(heapMapSpec(m)));
      }
      const physical = physicalOf(snap.allocator);
      if (opts.buddyinfo && physical === null) throw new UsageError(`--buddyinfo: ${name} has no physical memory of its own; the kernel-family allocators (buddy, kmalloc, vmalloc) have`);
      if (opts.json) {
        console.log(JSON.stringify({ events: snap.events, allocator: snap.allocator.identity.label, liveBlocks: snap.blocks.length, liveBytes: snap.liveBytes, stats: st, ...(opts.buddyinfo ? { physical } : { mappings: snap.space.mappings() }) }, null, 2));
        return;
      }
      console.log(summary);
      if (opts.buddyinfo) {
        for (const line of formatPhysical(snap.allocator.identity.label, physical!)) console.log(line);
        return;
      }
      process.stdout.write(snap.space.maps());
      if (opts.svg !== undefined) console.error(`heap map → ${opts.svg}`);
    });
}
