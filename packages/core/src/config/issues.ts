/*
 * Turning a schema's complaint into a ConfigError that names the key, where the value came from
 * and what was expected, e.g.
 *
 *   heaplab.config.json:4: fuzz.runs: expected a number ≥ 0, got -3
 *   environment variable HEAPLAB_SPACE__BACKING: space.backing: expected one of "array", "shared", "wasm", got "disk"
 *   heaplab.config.json:7: fuzz.rusn: expected one of the keys runs, seed
 */

import type { z } from 'zod';
import { ConfigError } from '../errors.js';
import { pathText } from './source.js';

type Path = (string | number)[];

interface Def {
  type: string;
  innerType?: z.ZodType;
  shape?: Record<string, z.ZodType>;
  valueType?: z.ZodType;
  element?: z.ZodType;
}

function def(s: z.ZodType): Def {
  return (s as unknown as { _zod: { def: Def } })._zod.def;
}

function unwrap(s: z.ZodType | undefined): z.ZodType | undefined {
  while (s && ['optional', 'default', 'nullable'].includes(def(s).type)) s = def(s).innerType;
  return s;
}

/** The schema at a path inside a schema (objects, records, arrays), or undefined. */
export function schemaAt(schema: z.ZodType, path: readonly (string | number)[]): z.ZodType | undefined {
  let s: z.ZodType | undefined = unwrap(schema);
  for (const seg of path) {
    if (!s) return undefined;
    const d = def(s);
    if (d.type === 'object') s = unwrap(d.shape?.[String(seg)]);
    else if (d.type === 'record') s = unwrap(d.valueType);
    else if (d.type === 'array') s = unwrap(d.element);
    else return undefined;
  }
  return s;
}

/** The keys an object schema knows at a path ([] when it is not an object). */
export function keysAt(schema: z.ZodType, path: readonly (string | number)[]): string[] {
  const s = schemaAt(schema, path);
  if (!s || def(s).type !== 'object') return [];
  return Object.keys(def(s).shape ?? {});
}

/** A value as a message shows it. */
export function show(v: unknown): string {
  if (v === undefined) return 'nothing';
  const t = JSON.stringify(v);
  return t.length > 60 ? t.slice(0, 57) + '…' : t;
}

function getAt(root: unknown, path: readonly (string | number)[]): unknown {
  let v = root;
  for (const seg of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[String(seg)];
  }
  return v;
}

const KIND: Record<string, string> = {
  number: 'a number',
  int: 'an integer',
  string: 'a string',
  boolean: 'true or false',
  object: 'an object',
  array: 'an array',
  record: 'an object',
};

/** What an issue says was expected, without the value (unions: the branches joined by "or"). */
function want(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      return KIND[issue.expected] ?? issue.expected;
    case 'too_small':
      return `a ${issue.origin === 'number' ? 'number' : issue.origin} ${issue.inclusive ? '≥' : '>'} ${String(issue.minimum)}`;
    case 'too_big':
      return `a ${issue.origin === 'number' ? 'number' : issue.origin} ${issue.inclusive ? '≤' : '<'} ${String(issue.maximum)}`;
    case 'invalid_value':
      return issue.values.length === 1 ? JSON.stringify(issue.values[0]) : `one of ${issue.values.map((x) => JSON.stringify(x)).join(', ')}`;
    case 'invalid_union': {
      const branches = issue.errors.map((errs) => (errs[0] ? want(errs[0]) : '')).filter((x) => x !== '');
      return branches.length > 0 ? branches.join(' or ') : issue.message;
    }
    case 'invalid_key':
      return issue.issues[0] ? want(issue.issues[0]) : 'a valid key';
    default:
      return issue.message;
  }
}

/**
 * The ConfigError of the first issue. `base` is where `value` sits in the configuration;
 * `sourceFor` names the origin of a full path.
 */
export function issueError(issues: readonly z.core.$ZodIssue[], schema: z.ZodType, value: unknown, base: Path, sourceFor: (path: Path) => string): ConfigError {
  const issue = issues[0]!;
  const rel = issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p)) as Path;
  const path = [...base, ...rel];
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0]!;
    const known = keysAt(schema, rel);
    const full = [...path, key];
    return new ConfigError(pathText(full), sourceFor(full), known.length > 0 ? `one of the keys ${known.join(', ')}` : 'no key here');
  }
  const got = issue.code === 'invalid_key' ? rel.at(-1) : getAt(value, rel);
  return new ConfigError(pathText(path), sourceFor(path), `${want(issue)}, got ${show(got)}`);
}
