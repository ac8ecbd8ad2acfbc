/*
 * `heaplab trace convert IN OUT [--format text|binary] [--gzip]`: converts a trace between the
 * v1 text form and the HLTB binary form (either gzipped); the input's form is read from its
 * bytes, the output's from --format or OUT's name (.hltb, .hltb.gz: binary; .gz: gzip).
 * `heaplab trace info FILE`: the header, the form, events by kind and what cannot be replayed.
 * `heaplab trace stats FILE [--json] [--svg OUT]`: what the program asked for (report/trace-stats.ts):
 * events by kind, peak live bytes and blocks, the shares of small and large requests and the
 * power-of-two size histogram — as terminal lines with bars, as JSON, and as an SVG plot.
 * `heaplab trace record [--out DIR] [--sites] [--only NAMES] -- CMD ARGS…`: runs a command under the
 * LD_PRELOAD recorder (bench/native/build/libheaplab-record.so, see bench/native/README.md); each
 * process writes `<program>.<pid>.trace` into DIR (made if missing; `--dir` is an older spelling);
 * the files made are listed afterwards. Options end at the command's name (`trace record ls -la`
 * passes -la to ls); an option record does not know, before the command, is an error that says to
 * put `--` before the command. A statically linked program (an ELF with no PT_INTERP, see
 * ../elf.ts) cannot load the recorder: record says so before running it.
 * Files are written whole or not at all (core's writeFileAtomic / trace writer: a temporary file
 * renamed into place); `convert` refuses an output that is its input.
 */

import { Option, type Command } from 'commander';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { SlotMapper, convertTrace, openTrace, writeFileAtomic, EVENT_LETTERS, type TraceFormat } from '@heaplab/core';
import { UsageError } from '../../allocators.js';
import { elfLinking, findExecutable } from '../elf.js';
import { NATIVE_DIR } from '../../metrics/native.js';
import { renderSvg, sizeHistogramSpec } from '../../report/plots.js';
import { traceFileStats, traceStatsLines } from '../../report/trace-stats.js';

/** The recorder library `make -C bench/native` builds. */
export const RECORDER = join(NATIVE_DIR, 'build', 'libheaplab-record.so');

function parseFormat(raw: string | undefined): TraceFormat | undefined {
  if (raw === undefined) return undefined;
  if (raw !== 'text' && raw !== 'binary') throw new UsageError(`--format: expected text or binary, got "${raw}"`);
  return raw;
}

export function registerTrace(program: Command): void {
  const trace = program.command('trace').description('record programs under the LD_PRELOAD recorder; convert, inspect and summarise heaplab-trace files').enablePositionalOptions();
  trace
    .command('convert')
    .description('convert a trace between the v1 text and the binary form (gzip read and written transparently)')
    .argument('<in>', 'trace to read (text, binary, gzip of either)')
    .argument('<out>', 'trace to write')
    .option('--format <form>', 'text or binary (default: binary for .hltb[.gz], text otherwise)')
    .option('--gzip', 'gzip the output (default: when OUT ends in .gz)')
    .action(async (input: string, output: string, opts: { format?: string; gzip?: boolean }) => {
      const t0 = performance.now();
      const r = await convertTrace(input, output, { format: parseFormat(opts.format), gzip: opts.gzip });
      console.log(`${input} (${r.from}) → ${output} (${r.to}): ${r.events} events of ${r.program} in ${((performance.now() - t0) / 1000).toFixed(2)} s`);
    });
  trace
    .command('info')
    .description('print a trace\'s header, form, events by kind and events that cannot be replayed')
    .argument('<file>', 'trace to read')
    .option('--json', 'print JSON')
    .action(async (file: string, opts: { json?: boolean }) => {
      const t = await openTrace(file);
      const byKind = [0, 0, 0, 0, 0];
      const mapper = new SlotMapper();
      let events = 0;
      for await (const c of t.chunks()) {
        for (let j = 0; j < c.count; j++) byKind[c.kind[j]!]!++;
        events += c.count;
        mapper.map(c);
      }
      const kinds = Object.fromEntries([...EVENT_LETTERS].map((l, i) => [l, byKind[i]!]));
      const info = { file, program: t.program, format: t.format, compressed: t.compressed, events, kinds, sites: t.sites.length, peakLiveBlocks: mapper.slotCount, anomalies: mapper.anomalies };
      if (opts.json) {
        console.log(JSON.stringify(info, null, 2));
        return;
      }
      console.log(`${file}: ${t.format}${t.compressed ? ' (gzip)' : ''}, program ${t.program}`);
      console.log(`events ${events}: ${[...EVENT_LETTERS].map((l) => `${l} ${kinds[l]}`).join(', ')}; sites ${info.sites}; at most ${info.peakLiveBlocks} blocks live`);
      const a = mapper.anomalies;
      console.log(`not replayed as written: ${a.failedRequests} failed requests, ${a.unknownIds} events on ids never allocated, ${a.reusedLiveIds} ids reused while live`);
      for (const u of a.firstUnknown) console.log(`  ${u}`);
    });
  trace
    .command('stats')
    .description('what a program asked for: events by kind, peak live bytes and blocks, shares of small and large requests, the power-of-two size histogram')
    .argument('<file>', 'trace to read (text, binary, gzip of either)')
    .option('--json', 'print JSON instead of the terminal summary')
    .option('--svg <out>', 'also write the size histogram as an SVG plot to this file')
    .action(async (file: string, opts: { json?: boolean; svg?: string }) => {
      if (!existsSync(file)) throw new UsageError(`trace stats: ${file} does not exist`);
      if (opts.svg !== undefined && !existsSync(dirname(resolve(opts.svg)))) throw new UsageError(`--svg: the directory of ${opts.svg} does not exist`);
      if (opts.svg !== undefined && existsSync(opts.svg) && statSync(opts.svg).isDirectory()) throw new UsageError(`--svg: ${opts.svg} is a directory; give the SVG file's name`);
      const stats = await traceFileStats(file, { progress: true });
      if (opts.json) console.log(JSON.stringify({ file, ...stats }, null, 2));
      else for (const line of traceStatsLines(file, stats)) console.log(line);
      if (opts.svg !== undefined) {
        const name = `${stats.program || basename(file)} (${stats.requests.toLocaleString('en-US')} requests)`;
        await writeFileAtomic(opts.svg, await renderSvg(sizeHistogramSpec({ name, sizes: stats.sizes, under100: stats.under100 })));
        console.error(`size histogram written to ${opts.svg}`);
      }
    });
  trace
    .command('record')
    .description('run a command under the LD_PRELOAD recorder: every process writes <program>.<pid>.trace')
    .argument('<command...>', 'the command and its arguments (put -- before them)')
    .option('--out <dir>', 'directory for the traces (made if missing)', '.')
    .addOption(new Option('--dir <dir>', 'the same as --out').hideHelp())
    .option('--sites', 'end allocation events with the caller\'s return address')
    .option('--only <names>', 'record only processes with these program names (comma-separated)')
    .passThroughOptions()
    .showHelpAfterError('(put -- before the command to record and its arguments: heaplab trace record [options] -- PROGRAM ARGS…)')
    .action(async (command: string[], opts: { out: string; dir?: string; sites?: boolean; only?: string }) => {
      if (!existsSync(RECORDER)) throw new UsageError(`the recorder is not built (${RECORDER} is missing; \`npm explore heaplab -- npm run build:native\` builds it where gcc and make exist)`);
      const dir = resolve(opts.dir ?? opts.out);
      if (existsSync(dir) && !statSync(dir).isDirectory()) throw new UsageError(`--out: ${dir} exists and is not a directory`);
      if (opts.only !== undefined && !/^[^,\s/]+(,[^,\s/]+)*$/.test(opts.only)) throw new UsageError(`--only: expected program names separated by commas (no spaces or slashes), got "${opts.only}"`);
      const executable = findExecutable(command[0]!);
      const staticProgram = executable !== null && elfLinking(executable) === 'static';
      if (staticProgram) console.error(`${executable} is statically linked (no PT_INTERP: no dynamic loader), so LD_PRELOAD cannot load the recorder into it; only dynamically linked programs it starts are recorded`);
      mkdirSync(dir, { recursive: true });
      const before = new Set(readdirSync(dir));
      const env: NodeJS.ProcessEnv = { ...process.env, HEAPLAB_RECORD_DIR: dir, LD_PRELOAD: [RECORDER, process.env.LD_PRELOAD].filter(Boolean).join(':') };
      if (opts.sites) env.HEAPLAB_RECORD_SITES = '1';
      if (opts.only !== undefined) env.HEAPLAB_RECORD_ONLY = opts.only;
      const code = await new Promise<number>((res, rej) => {
        const child = spawn(command[0]!, command.slice(1), { env, stdio: 'inherit' });
        child.on('error', (e) => rej(new UsageError(`cannot run ${command[0]}: ${e.message}`)));
        child.on('exit', (c, signal) => res(c ?? (signal ? 128 : 1)));
      });
      const made = readdirSync(dir).filter((f) => f.endsWith('.trace') && !before.has(f)).sort();
      console.error(`${command.join(' ')}: exit ${code}; ${made.length} trace${made.length === 1 ? '' : 's'} in ${dir}${made.length ? ':' : ''}`);
      for (const f of made) console.error(`  ${f}`);
      if (made.length === 0 && staticProgram) console.error(`no trace: ${command[0]} is statically linked; record a dynamically linked build of it`);
      if (code !== 0) process.exitCode = code;
    });
}
