/*
 * Shards: the i-th of n disjoint parts of a plan, so a plan too big for one machine runs as n
 * jobs of any batch system (GNU parallel, Slurm job arrays, Kubernetes Jobs) and `heaplab lab
 * merge` joins their records into one.
 *
 * How a plan is split: its cells are (source, allocator) pairs, plus one native cell per source
 * (the native driver's runs on it) when the plan runs natives. Cells are numbered source by
 * source in plan order, and within a source in the order of the plan's allocators (the floor,
 * when the plan times it, after them; the native cell last). Cell k belongs to shard
 * (k mod n) + 1. The split depends only on the plan and n, never on the machine, so every shard
 * computes the same assignment and the merge can check that each cell came from its owner.
 *
 * A shard's record holds the whole plan (the same plan hash as the unsharded run), the cells it
 * ran, the other cells marked skipped with the shard that owns them, and `shard: {index, count}`.
 */

import { createHash } from 'node:crypto';
import { basename } from 'node:path';
import { UsageError } from '../allocators.js';
import type { ResolvedPlan } from './api.js';

/** One part of n. */
export interface Shard {
  /** 1-based. */
  index: number;
  count: number;
}

/** Parses `i/n` (1 ≤ i ≤ n). */
export function parseShard(text: string): Shard {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  if (!m) throw new UsageError(`--shard: expected i/n (for example 1/4), got "${text}"`);
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (count < 1 || index < 1 || index > count) throw new UsageError(`--shard ${text}: expected 1 ≤ i ≤ n`);
  return { index, count };
}

/** The pseudo-allocator name of a source's native cell. */
export const NATIVE_CELL = 'native';

/** The shard (1-based) that owns cell `column` of source `source`, with `columns` cells a source. */
export function cellShard(source: number, column: number, columns: number, count: number): number {
  return ((source * columns + column) % count) + 1;
}

/**
 * Who owns what: `owner(s, a)` for source index s and column a (an index into `specs`, or
 * `specs.length` for the native cell) gives the 1-based shard.
 */
export function shardOwners(plan: ResolvedPlan, specs: readonly string[], count: number): (source: number, column: number) => number {
  const native = plan.native !== false && !(Array.isArray(plan.native) && plan.native.length === 0);
  const columns = specs.length + (native ? 1 : 0);
  return (s, a) => cellShard(s, a, columns, count);
}

/** sha256 of a plan's content, the same for every shard of it and for the whole run. */
export function planHash(plan: ResolvedPlan): string {
  // profileDir, and the folder a trace file is in, say where things are on this machine, not
  // what is measured: shards run from different checkouts hash alike (a trace's content is
  // checked by its sha256 in the record).
  const { profileDir: _d, sources, ...rest } = plan;
  const named = sources.map((s) => (s.source.kind === 'trace' ? { ...s, source: { ...s.source, file: basename(s.source.file) } } : s));
  return createHash('sha256').update(JSON.stringify({ ...rest, sources: named })).digest('hex');
}
