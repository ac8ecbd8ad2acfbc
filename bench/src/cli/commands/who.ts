/*
 * `heaplab who <address> [--allocator A] (--workload W | FILE) --at EVENT [--maps] [--json]`:
 * ownership at a point of a run. Replays the first EVENT events of the workload or trace with
 * allocator A (configured parameters, under a tracing wrapper so each block keeps its trace
 * site), then asks the space who owns the address: the leaf allocator, the block (base, size),
 * its site and the chain of parents — or the mapping it falls in, or "unmapped". `--maps` also
 * prints the space's mappings at that point, to find addresses worth asking about. A recorded
 * trace's site (a return address) is also shown as module+offset, with function and line where
 * addr2line is installed, through the module map read up to that point.
 */

import type { Command } from 'commander';
import { createAddressSpace, createTracingAllocator, fileSource, symboliseSites, type TraceModule, type TraceSource } from '@heaplab/core';
import { UsageError, allocatorHelp, allocatorOrDefault } from '../../allocators.js';
import { comparedFactory } from '../../adapters/index.js';
import { replayTo } from '../../step-replay.js';
import { DEFAULT_SEED, workload, workloadSource } from '../../workloads/index.js';
import { parseAddress, parseCount, parseSpaceMib } from '../options.js';

interface WhoFlags {
  allocator?: string;
  workload?: string;
  seed: string;
  ops?: string;
  at?: string;
  maps?: boolean;
  json?: boolean;
  spaceMib?: string;
  space?: string;
}

export function registerWho(program: Command): void {
  program
    .command('who')
    .description('who owns an address at a point of a run: allocator, block, allocation site, chain of wrappers')
    .argument('<address>', 'the address (decimal or 0x hex)')
    .argument('[file]', 'trace file to replay (or --workload)')
    .option('-a, --allocator <name>', allocatorHelp('allocator to run'))
    .option('-w, --workload <name>', 'replay a built-in workload instead of a file')
    .option('--seed <n>', 'workload seed', String(DEFAULT_SEED))
    .option('--ops <n>', 'workload events (default: the workload\'s own count)')
    .option('--at <event>', 'stop before this event index (default: after the last event)')
    .option('--space <size>', 'size of the address space: 256m, 4g, 128t (default 4g; above 4g the space is paged, up to 128t = 2^47)')
    .option('--space-mib <n>', 'size of the address space in MiB (default 4096)')
    .option('--maps', 'also print the mappings of the space at that point')
    .option('--json', 'print JSON')
    .action(async (rawAddress: string, file: string | undefined, opts: WhoFlags) => {
      const address = parseAddress(rawAddress, '<address>');
      if ((file === undefined) === (opts.workload === undefined)) throw new UsageError('who: give either a trace FILE or --workload NAME');
      const name = allocatorOrDefault(opts.allocator);
      const factory = comparedFactory(name);
      const at = opts.at !== undefined ? parseCount(opts.at, '--at') : Infinity;
      const mib = parseSpaceMib(opts);
      let source: TraceSource;
      let modules: readonly TraceModule[] = [];
      if (opts.workload !== undefined) {
        const ops = opts.ops !== undefined ? parseCount(opts.ops, '--ops') : undefined;
        source = workloadSource(workload(opts.workload), { seed: parseCount(opts.seed, '--seed'), ops: ops ?? (Number.isFinite(at) ? at : undefined) });
      } else {
        const inner = fileSource(file!);
        source = {
          name: inner.name,
          async *open() {
            for await (const c of inner.open()) {
              if (c.modules !== undefined) modules = c.modules;
              yield c;
            }
          },
        };
      }
      const space = createAddressSpace({ size: mib * 2 ** 20 });
      if (address >= space.size) throw new UsageError(`<address>: 0x${address.toString(16)} is past the end of the ${mib} MiB space`);
      const allocator = createTracingAllocator(factory(space));
      const run = await replayTo(source, allocator, at);
      if (Number.isFinite(at) && run.events < at) throw new UsageError(`--at ${at}: ${source.name} has only ${run.events} events; give an event up to ${run.events}, or leave --at out for the state after the last`);
      const answer = space.whoOwns(address);
      const site = answer.site;
      const where = site !== null && modules.length > 0 ? symboliseSites([site], modules).get(site)!.text : null;
      if (opts.json) {
        process.stdout.write(JSON.stringify({ events: run.events, liveBlocks: run.live.size, ...(answer as unknown as { toJSON(): object }).toJSON(), siteWhere: where ?? undefined, maps: opts.maps ? space.maps() : undefined }, null, 2) + '\n');
        return;
      }
      process.stdout.write(`after ${run.events} events of ${source.name} with ${name} (${run.live.size} live blocks):\n${answer.text}\n${where !== null && where !== site ? `allocation site ${site}: ${where}\n` : ''}`);
      if (opts.maps) process.stdout.write(`\n${space.maps()}`);
    });
}
