/*
 * Parameter grids: `--grid policy=best-fit,first-fit --grid mmapThreshold=64k,128k,1m` over one
 * base allocator spec (`-a dlmalloc-style`, or `-a dlmalloc-style:tcache=0` whose options every
 * point keeps) gives the cross product of the axes, one allocator spec per point, in the order
 * the axes were given (the last axis varies fastest). Values are parsed as spec values are
 * (spec.ts optionValue: 64k = 65536, 1m = 1048576, true/false, text), so a point's spec text is
 * the normalised `name:key=value,…` the ledger and the tables use.
 *
 * Invariants: every axis has at least one value and names a key once; no axis repeats a key the
 * base spec already sets; points are distinct (a value given twice on an axis is an error).
 */

import { UsageError } from '../allocators.js';
import type { AllocatorSpec } from './api.js';
import { optionValue, parseSpec, specText } from './spec.js';

/** One axis of a grid: an option and its values. */
export interface GridAxis {
  key: string;
  values: unknown[];
}

/** One point of a grid: its allocator spec and the setting of each axis. */
export interface GridPoint {
  spec: AllocatorSpec;
  settings: Record<string, unknown>;
}

/** Parses one `--grid key=v1,v2,…`. */
export function parseAxis(text: string): GridAxis {
  const eq = text.indexOf('=');
  if (eq <= 0) throw new UsageError(`--grid: expected key=value,value,… got "${text}"`);
  const key = text.slice(0, eq).trim();
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) throw new UsageError(`--grid: "${key}" is not an option name`);
  const raw = text.slice(eq + 1).split(',').map((v) => v.trim()).filter((v) => v !== '');
  if (raw.length === 0) throw new UsageError(`--grid ${key}: expected at least one value`);
  const values = raw.map(optionValue);
  const seen = new Set(values.map((v) => String(v)));
  if (seen.size !== values.length) throw new UsageError(`--grid ${key}: a value is given twice (${raw.join(', ')})`);
  return { key, values };
}

/** Every point of the grid over `base` (its options kept), the last axis varying fastest. */
export function gridPoints(base: AllocatorSpec, axes: readonly GridAxis[]): GridPoint[] {
  const keys = new Set<string>();
  for (const a of axes) {
    if (keys.has(a.key)) throw new UsageError(`--grid ${a.key}: the option has two axes`);
    if (a.key in base.options) throw new UsageError(`--grid ${a.key}: the allocator "${base.spec}" already sets it`);
    keys.add(a.key);
  }
  let points: Record<string, unknown>[] = [{}];
  for (const a of axes) points = points.flatMap((p) => a.values.map((v) => ({ ...p, [a.key]: v })));
  return points.map((settings) => {
    const s = { name: base.name, module: base.module, options: { ...base.options, ...settings }, wrappers: base.wrappers };
    return { spec: parseSpec(specText(s)), settings };
  });
}

/** A point's settings as a short label (`policy=first-fit mmapThreshold=64k`), sizes in k/m/g. */
export function settingsLabel(settings: Record<string, unknown>): string {
  const parts = Object.entries(settings).map(([k, v]) => `${k}=${typeof v === 'number' ? sizeText(v) : String(v)}`);
  return parts.join(' ');
}

/** 65536 → 64k, 1048576 → 1m; other numbers as they are. */
export function sizeText(n: number): string {
  for (const [s, f] of [['g', 2 ** 30], ['m', 2 ** 20], ['k', 2 ** 10]] as const) if (n >= f && n % f === 0) return `${n / f}${s}`;
  return String(n);
}
