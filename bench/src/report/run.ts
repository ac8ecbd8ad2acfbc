/*
 * What `heaplab bench` and `heaplab report` share: where results go, the heap maps of a
 * comparison (every allocator on one source at one event — the source's peak of live bytes, or a
 * chosen one — and one scale), and reading a saved comparison back. The plan `npm run bench` runs
 * is bench/plans/bench.json (bench/src/lab/plan.ts).
 */

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError } from '../allocators.js';
import { specFactory } from '../lab/factory.js';
import { parseSpec } from '../lab/spec.js';
import type { Comparison, SourceResult } from './compare.js';
import { heapMap, type HeapMap } from './heap-map.js';
import { snapshotAt } from './snapshot.js';
import { openSource } from './sources.js';

/**
 * Where results go by default: bench/results in a checkout of the repository (the workspace's
 * package.json is two levels up), else `heaplab-results/` in the working directory — an installed
 * package's own folder is not the user's to write in.
 */
export const RESULTS_DIR = inCheckout() ? fileURLToPath(new URL('../../results/', import.meta.url)) : join(process.cwd(), 'heaplab-results');

function inCheckout(): boolean {
  try {
    const root = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { name?: string; workspaces?: unknown };
    return Array.isArray(root.workspaces);
  } catch {
    return false;
  }
}

/**
 * The one event every heap map of a source is drawn at: `at` when given (at most the source's
 * length), else just after the source's peak of live bytes — as the first allocator that replayed
 * the whole source counted it; when every allocator replayed a shorter window, the peak within
 * the shortest. Maps are drawn at the same event so that they compare the same moment.
 */
export function heapMapEvent(s: SourceResult, at: number | undefined): number {
  if (at !== undefined) return Math.min(at, s.events);
  const ran = s.allocators.filter((a) => a.result);
  const full = ran.find((a) => a.window === null);
  const shortest = [...ran].sort((x, y) => x.window! - y.window!)[0];
  const a = full ?? shortest;
  if (!a) return s.events;
  return Math.min(a.window ?? s.events, a.result!.live.peakEvent + 1);
}

/**
 * Heap maps of every allocator that ran on one source (default the first) of a comparison, all
 * at one event (heapMapEvent) and one scale (the largest pages per cell any of them needs). An
 * allocator that replayed a shorter window ending before that event is left out (the report says so).
 */
export async function comparisonHeapMaps(c: Comparison, options: { source?: string; at?: number; spaceMib?: number } = {}): Promise<HeapMap[]> {
  if (c.sources.length === 0) return [];
  const s = options.source === undefined ? c.sources[0]! : c.sources.find((x) => x.name === options.source);
  if (!s) throw new UsageError(`--map-source: no source "${options.source}" in this comparison; sources: ${c.sources.map((x) => x.name).join(', ')}`);
  const event = heapMapEvent(s, options.at);
  const snaps: { name: string; snap: Awaited<ReturnType<typeof snapshotAt>>; map: HeapMap }[] = [];
  for (const a of s.allocators) {
    if (!a.result || (a.window !== null && a.window < event)) continue;
    const snap = await snapshotAt(openSource(s.spec), await specFactory(parseSpec(a.name)), event, options.spaceMib);
    snaps.push({ name: a.name, snap, map: heapMap(snap.space, snap.blocks, { allocator: a.name, source: s.name, event: snap.events }) });
  }
  const per = Math.max(1, ...snaps.map((x) => x.map.pagesPerCell));
  return snaps.map(({ name, snap, map }) => (map.pagesPerCell === per ? map : heapMap(snap.space, snap.blocks, { allocator: name, source: s.name, event: snap.events }, { pagesPerCell: per })));
}

/** Reads a comparison saved by `heaplab bench` (results.json). */
export function readComparison(file: string): Comparison {
  if (!existsSync(file)) throw new UsageError(`${file} does not exist: run \`heaplab bench\` (npm run bench) first, or give --from FILE`);
  let c: Comparison;
  try {
    c = JSON.parse(readFileSync(file, 'utf8')) as Comparison;
  } catch (e) {
    throw new UsageError(`${file}: not JSON (${(e as Error).message})`);
  }
  if (c?.heaplabComparison !== 1 || !Array.isArray(c.sources)) throw new UsageError(`${file}: not a heaplab comparison (no "heaplabComparison": 1)`);
  // JSON has no NaN: figures written as null read back as NaN where numbers are expected.
  for (const s of c.sources) for (const n of s.native) n.footprint = n.footprint ?? NaN;
  return c;
}
