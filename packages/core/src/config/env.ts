/*
 * The environment side of configuration: every key path has a variable, `HEAPLAB_` +
 * the path's segments in upper snake case joined by `__`:
 *
 *   fuzz.runs                              HEAPLAB_FUZZ__RUNS
 *   allocators.dlmalloc-style.mmapThreshold HEAPLAB_ALLOCATORS__DLMALLOC_STYLE__MMAP_THRESHOLD
 *   wrappers                               HEAPLAB_WRAPPERS=tracing,checking
 *
 * A variable's segments are matched against the keys the schema (or the registry, for allocator
 * and wrapper names and their parameters) knows; the raw text is turned into the type the schema
 * expects at that path (numbers, true/false, comma-separated lists) and then validated like a
 * value from the file. HEAPLAB_CONFIG (the file to read) and HEAPLAB_DEBUG are not keys.
 */

import type { z } from 'zod';

/** Variables starting with HEAPLAB_ that are not configuration keys. */
export const RESERVED_VARIABLES: readonly string[] = ['HEAPLAB_CONFIG', 'HEAPLAB_DEBUG'];

/** A key in upper snake case: `mmapThreshold` → `MMAP_THRESHOLD`, `dlmalloc-style` → `DLMALLOC_STYLE`. */
export function upperSnake(key: string): string {
  return key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').replace(/[-.\s]/g, '_').toUpperCase();
}

/** The variable of a key path. */
export function envName(path: readonly string[]): string {
  return 'HEAPLAB_' + path.map(upperSnake).join('__');
}

/** The key among `candidates` whose variable segment is `segment`, or null. */
export function matchKey(segment: string, candidates: Iterable<string>): string | null {
  for (const c of candidates) if (upperSnake(c) === segment) return c;
  return null;
}

/** One HEAPLAB_ variable, split into segments. */
export interface EnvEntry {
  variable: string;
  segments: string[];
  raw: string;
}

/** The configuration variables of an environment, in a stable order. */
export function configVariables(env: Record<string, string | undefined>): EnvEntry[] {
  const out: EnvEntry[] = [];
  for (const variable of Object.keys(env).sort()) {
    if (!variable.startsWith('HEAPLAB_') || RESERVED_VARIABLES.includes(variable)) continue;
    const raw = env[variable];
    if (raw === undefined) continue;
    out.push({ variable, segments: variable.slice('HEAPLAB_'.length).split('__'), raw });
  }
  return out;
}

/** What a schema takes at a leaf, for turning text into a value. */
export type LeafKind = 'number' | 'boolean' | 'string' | 'array' | 'unknown';

interface Def {
  type: string;
  innerType?: z.ZodType;
  values?: unknown[];
  entries?: Record<string, unknown>;
}

/** The kind of value a schema takes (optional and default wrappers are looked through). */
export function leafKind(schema: z.ZodType | undefined): LeafKind {
  let s = schema as unknown as { _zod: { def: Def } } | undefined;
  while (s && (s._zod.def.type === 'optional' || s._zod.def.type === 'default' || s._zod.def.type === 'nullable')) s = s._zod.def.innerType as unknown as typeof s;
  if (!s) return 'unknown';
  const d = s._zod.def;
  switch (d.type) {
    case 'number':
    case 'int':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'string':
    case 'enum':
      return 'string';
    case 'array':
      return 'array';
    case 'literal':
      return typeof d.values?.[0] === 'number' ? 'number' : typeof d.values?.[0] === 'boolean' ? 'boolean' : 'string';
    default:
      return 'unknown';
  }
}

const NUMBER = /^\s*[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?\s*$|^\s*0x[0-9a-fA-F]+\s*$/;

/** The value of a variable's text for a leaf kind. Text that does not fit stays text, so validation names it. */
export function coerce(raw: string, kind: LeafKind): unknown {
  switch (kind) {
    case 'number':
      return NUMBER.test(raw) ? Number(raw) : raw;
    case 'boolean': {
      const t = raw.trim().toLowerCase();
      return t === 'true' || t === '1' ? true : t === 'false' || t === '0' ? false : raw;
    }
    case 'array': {
      const t = raw.trim();
      if (t.startsWith('[')) {
        try {
          return JSON.parse(t) as unknown;
        } catch {
          return raw;
        }
      }
      return t === '' ? [] : t.split(',').map((x) => x.trim());
    }
    case 'string':
      return raw;
    case 'unknown':
      try {
        return JSON.parse(raw) as unknown;
      } catch {
        return raw;
      }
  }
}
