/*
 * `heaplab workload list` and `heaplab workload export NAME [--seed S] [--ops N] [--out FILE]
 * [--format text|binary]`: a built-in workload written as a trace (v1 text unless told or named
 * .hltb), to a file or to standard output, so the native driver replays exactly the same events.
 */

import type { Command } from 'commander';
import { once } from 'node:events';
import { encodeTextChunk, textHeader, writeTrace, type TraceFormat } from '@heaplab/core';
import { UsageError } from '../../allocators.js';
import { DEFAULT_SEED, workload, workloadNames } from '../../workloads/index.js';
import { parseCount } from '../options.js';

export function registerWorkload(program: Command): void {
  const cmd = program.command('workload').description('list the built-in workloads and export them as traces');
  cmd
    .command('list')
    .description('list the built-in workloads')
    .action(() => {
      for (const name of workloadNames()) {
        const w = workload(name);
        console.log(`${name.padEnd(16)} ${String(w.defaultOps).padStart(9)} events  ${w.description}`);
      }
    });
  cmd
    .command('export')
    .description('write a workload as a heaplab-trace v1 file (or binary)')
    .argument('<name>', 'workload name')
    .option('--seed <n>', 'seed', String(DEFAULT_SEED))
    .option('--ops <n>', 'events (default: the workload\'s own count)')
    .option('-o, --out <file>', 'file to write (default: standard output, text)')
    .option('--format <form>', 'text or binary (default: binary for .hltb[.gz], text otherwise)')
    .action(async (name: string, opts: { seed: string; ops?: string; out?: string; format?: string }) => {
      const w = workload(name);
      const seed = parseCount(opts.seed, '--seed');
      if (seed >= 2 ** 32) throw new UsageError(`--seed: expected an integer below 2^32, got "${opts.seed}"`);
      const ops = opts.ops !== undefined ? parseCount(opts.ops, '--ops') : undefined;
      const format = opts.format as TraceFormat | undefined;
      if (format !== undefined && format !== 'text' && format !== 'binary') throw new UsageError(`--format: expected text or binary, got "${opts.format}"`);
      const events = w.events({ seed, ops });
      if (opts.out === undefined) {
        if (format === 'binary') throw new UsageError('--format binary needs --out FILE');
        const out = process.stdout;
        if (!out.write(textHeader(w.name))) await once(out, 'drain');
        for (const c of events) if (!out.write(encodeTextChunk(c))) await once(out, 'drain');
        return;
      }
      const n = await writeTrace(opts.out, events, { program: w.name, format });
      console.error(`${w.name} (seed ${seed}): ${n} events → ${opts.out}`);
    });
}
