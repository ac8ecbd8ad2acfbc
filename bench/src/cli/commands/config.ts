/*
 * `heaplab config [--json]`: the merged configuration (heaplab.config.json, then HEAPLAB_
 * variables over it), every value with its source — a file line, a variable, or the default —
 * and the variable that would set it; then what each tool setting does and where it takes effect
 * (SETTING_EFFECTS; allocators.* and wrapperOptions.* are the parameters of the named strategy).
 */

import type { Command } from 'commander';
import { envName, sourceText, type ConfigEntry } from '@heaplab/core';
import { benchConfig } from '../../allocators.js';

function valueText(v: unknown): string {
  return v === null ? '(none)' : typeof v === 'string' ? v : JSON.stringify(v);
}

/** Where each tool setting takes effect, as `heaplab config` says (the flags named win over it). */
export const SETTING_EFFECTS: Readonly<Record<string, string>> = Object.freeze({
  default: 'the allocator ALLOCATOR resolves to; -a\'s default in fuzz, replay, maps and who',
  'space.size': 'bytes of the address space ADDRESS_SPACE makes (dependency injection); the CLI takes --space-mib',
  'space.pageSize': 'page size of the address space ADDRESS_SPACE makes',
  'space.backing': 'memory of the address space ADDRESS_SPACE makes: array, shared or wasm',
  'fuzz.runs': 'sequences per property of the conformance kit and per round of heaplab fuzz (--runs wins)',
  'fuzz.seed': 'seed of the conformance kit and of heaplab fuzz\'s first round (--seed wins; unset: fuzz draws one)',
  'bench.operations': 'events of every workload heaplab bench runs (--ops wins; unset: the plan\'s)',
  'bench.repeats': 'timed runs per allocator and source in heaplab bench (--runs wins; unset: the plan\'s)',
  'bench.seed': 'seed of the workloads heaplab bench runs (--seed wins; unset: the plan\'s)',
  wrappers: 'the wrapper stack ALLOCATOR puts around the allocator, outermost first (the CLI measures allocators alone)',
});

/** What a key path does: its entry in SETTING_EFFECTS, or the parameter's strategy. */
export function effectOf(path: string): string {
  const fixed = SETTING_EFFECTS[path];
  if (fixed !== undefined) return fixed;
  const [section, name] = path.split('.');
  if (section === 'allocators') return path.endsWith('.module') ? `the module the custom allocator ${name} is imported from` : `a parameter of every ${name} made by name (CLI, benchmarks, ALLOCATOR_FACTORY)`;
  if (section === 'wrapperOptions') return `a parameter of the ${name} wrapper where it is stacked`;
  return '';
}

/** The entries as aligned text: `path = value   source   (VARIABLE)`. */
export function formatConfig(file: string | null, entries: readonly ConfigEntry[]): string {
  const rows = entries.map((e) => [e.path, valueText(e.value), sourceText(e.source), envName(e.path.split('.'))] as const);
  const w0 = Math.max(...rows.map((r) => r[0].length));
  const w1 = Math.min(40, Math.max(...rows.map((r) => r[1].length)));
  const w2 = Math.max(...rows.map((r) => r[2].length));
  let out = `configuration file: ${file ?? '(none found)'}\n`;
  for (const [p, v, s, env] of rows) out += `${p.padEnd(w0)} = ${v.padEnd(w1)}  ${s.padEnd(w2)}  ${env}\n`;
  const keys = Object.keys(SETTING_EFFECTS);
  const wk = Math.max(...keys.map((k) => k.length));
  out += '\nwhere each setting takes effect:\n';
  for (const k of keys) out += `  ${k.padEnd(wk)}  ${SETTING_EFFECTS[k]}\n`;
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
        process.stdout.write(JSON.stringify({ file: config.file, entries: entries.map((e) => ({ path: e.path, value: e.value, source: sourceText(e.source), variable: envName(e.path.split('.')), effect: effectOf(e.path) })) }, null, 2) + '\n');
      } else {
        process.stdout.write(formatConfig(config.file, entries));
      }
    });
}
