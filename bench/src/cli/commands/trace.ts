/*
 * `heaplab trace convert IN OUT [--format text|binary] [--gzip]`: converts a trace between the
 * v1 text form and the HLTB binary form (either gzipped); the input's form is read from its
 * bytes, the output's from --format or OUT's name (.hltb, .hltb.gz: binary; .gz: gzip).
 * `heaplab trace info FILE`: the header, the form, events by kind and what cannot be replayed.
 */

import type { Command } from 'commander';
import { SlotMapper, convertTrace, openTrace, EVENT_LETTERS, type TraceFormat } from '@heaplab/core';
import { UsageError } from '../../allocators.js';

function parseFormat(raw: string | undefined): TraceFormat | undefined {
  if (raw === undefined) return undefined;
  if (raw !== 'text' && raw !== 'binary') throw new UsageError(`--format: expected text or binary, got "${raw}"`);
  return raw;
}

export function registerTrace(program: Command): void {
  const trace = program.command('trace').description('convert and inspect heaplab-trace files');
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
}
