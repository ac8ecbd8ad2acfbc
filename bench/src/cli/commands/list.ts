/*
 * `heaplab list [--json]`: the registry — every allocator and wrapper kind (built-in, from a
 * package, or custom from heaplab.config.json) with its family, origin and configured
 * parameters — and, for each, the identity of an instance made now in a small space: id,
 * label, parameters after defaults, description, parent, and the mappings it owns. Identities
 * are made with the instances, never a static table; the default allocator is marked `*`.
 */

import type { Command } from 'commander';
import { createAddressSpace, defaultAllocatorName, describeIdentity, formatMaps, type IdentityRecord, type RegistryEntry } from '@heaplab/core';
import { benchConfig, benchRegistry } from '../../allocators.js';

/** One kind in the registry, with the identity of an instance. */
export interface ListedStrategy {
  name: string;
  kind: 'allocator' | 'wrapper';
  family: string;
  origin: string;
  description: string;
  default: boolean;
  /** Parameters after defaults, registration and configuration. */
  parameters: Record<string, unknown>;
  instance: IdentityRecord | null;
  /** Why no instance could be made, if none could. */
  error?: string;
}

const SPACE = 256 * 2 ** 20;

/** The registry with an instance of each kind: allocators alone, wrappers around the default allocator (or the first). */
export function listRegistry(): ListedStrategy[] {
  const config = benchConfig();
  const registry = benchRegistry();
  let def: string | null = null;
  try {
    def = defaultAllocatorName(registry, config);
  } catch {
    def = null;
  }
  const host = def ?? registry.allocatorNames()[0] ?? null;
  const out: ListedStrategy[] = [];
  const entries: RegistryEntry[] = [...registry.allocators(), ...registry.wrappers()];
  for (const e of entries) {
    const s = e.strategy;
    const configured = s.kind === 'allocator' ? config.parametersOf(s.name) : (config.wrapperOptions.get(s.name) ?? {});
    const row: ListedStrategy = {
      name: s.name,
      kind: s.kind,
      family: s.kind === 'allocator' ? s.family : 'wrapper',
      origin: e.origin,
      description: s.description,
      default: s.name === def,
      parameters: { ...(s.defaults as Record<string, unknown>), ...e.parameters, ...configured },
      instance: null,
    };
    try {
      const space = createAddressSpace({ size: SPACE });
      if (s.kind === 'allocator') {
        const a = registry.create(s.name, space, configured);
        a.malloc(1); // one live block, so the mappings it owns show
        row.instance = describeIdentity(a.identity, space);
      } else if (host) {
        const inner = registry.create(host, space, config.parametersOf(host));
        const w = registry.wrap(inner, [{ name: s.name, parameters: configured }]);
        w.malloc(1);
        row.instance = describeIdentity(w.identity, space);
      }
    } catch (err) {
      row.error = (err as Error).message;
    }
    out.push(row);
  }
  return out;
}

function params(p: Record<string, unknown>): string {
  return Object.entries(p).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`).join(' ') || '(none)';
}

/** The listing as text. */
export function formatList(rows: readonly ListedStrategy[]): string {
  let out = '';
  for (const kind of ['allocator', 'wrapper'] as const) {
    out += kind === 'allocator' ? 'allocators (* = default):\n' : 'wrappers (stack them with "wrappers" in heaplab.config.json, outermost first):\n';
    for (const r of rows.filter((x) => x.kind === kind)) {
      out += `${r.default ? '*' : ' '} ${r.name}  [${r.family}]  from ${r.origin}\n`;
      out += `    ${r.description}\n`;
      out += `    parameters: ${params(r.parameters)}\n`;
      if (r.instance) {
        const i = r.instance;
        const maps = i.mappings.map((m) => formatMaps([m]).trim());
        out += `    instance ${i.label} (id ${i.id}, family ${i.family})${i.parent ? `, under ${i.parent}` : ''}: owns ${i.mappings.length} mapping${i.mappings.length === 1 ? '' : 's'}\n`;
        for (const m of maps.slice(0, 3)) out += `      ${m}\n`;
        if (maps.length > 3) out += `      … ${maps.length - 3} more\n`;
      } else if (r.error) {
        out += `    instance: could not be made: ${r.error}\n`;
      }
    }
  }
  return out;
}

export function registerList(program: Command): void {
  program
    .command('list')
    .description('list the registry: every allocator and wrapper with the identity of an instance')
    .option('--json', 'print JSON')
    .action((opts: { json?: boolean }) => {
      const rows = listRegistry();
      const stack = benchConfig().wrappers.map((w) => w.name);
      const def = rows.find((r) => r.default)?.name ?? null;
      if (opts.json) {
        process.stdout.write(JSON.stringify(rows, null, 2) + '\n');
        return;
      }
      const head = def ? `ALLOCATOR resolves to: ${[...stack, def].join(' > ')}\n` : `ALLOCATOR: no default configured${stack.length ? ` (wrapper stack: ${stack.join(' > ')})` : ''}\n`;
      process.stdout.write(head + formatList(rows));
    });
}
