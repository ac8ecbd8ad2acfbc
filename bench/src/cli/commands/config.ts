/*
 * `heaplab config [--json]`: the merged configuration (heaplab.config.json, then HEAPLAB_
 * variables over it), every value with its source — a file line, a variable, or the default —
 * and the variable that would set it.
 */

import type { Command } from 'commander';
import { envName, sourceText, type ConfigEntry } from '@heaplab/core';
import { benchConfig } from '../../allocators.js';

function valueText(v: unknown): string {
  return v === null ? '(none)' : typeof v === 'string' ? v : JSON.stringify(v);
}

/** The entries as aligned text: `path = value   source   (VARIABLE)`. */
export function formatConfig(file: string | null, entries: readonly ConfigEntry[]): string {
  const rows = entries.map((e) => [e.path, valueText(e.value), sourceText(e.source), envName(e.path.split('.'))] as const);
  const w0 = Math.max(...rows.map((r) => r[0].length));
  const w1 = Math.min(40, Math.max(...rows.map((r) => r[1].length)));
  const w2 = Math.max(...rows.map((r) => r[2].length));
  let out = `configuration file: ${file ?? '(none found)'}\n`;
  for (const [p, v, s, env] of rows) out += `${p.padEnd(w0)} = ${v.padEnd(w1)}  ${s.padEnd(w2)}  ${env}\n`;
  return out;
}

export function registerConfig(program: Command): void {
  program
    .command('config')
    .description('print the merged configuration, each value with its source (file line, environment variable or default)')
    .option('--json', 'print JSON')
    .action((opts: { json?: boolean }) => {
      const config = benchConfig();
      const entries = config.entries();
      if (opts.json) {
        process.stdout.write(JSON.stringify({ file: config.file, entries: entries.map((e) => ({ path: e.path, value: e.value, source: sourceText(e.source), variable: envName(e.path.split('.')) })) }, null, 2) + '\n');
      } else {
        process.stdout.write(formatConfig(config.file, entries));
      }
    });
}
