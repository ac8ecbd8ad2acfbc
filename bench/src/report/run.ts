/*
 * What `heaplab bench` and `heaplab report` share: the default plan (every allocator, every
 * workload at bench sizes, the bundled traces), the heap maps of a comparison (every allocator on
 * one source at one event — the source's peak of live bytes, or a chosen one — and one scale), and
 * reading a saved comparison back.
 *
 * Bench sizes (BENCH_OPS) keep `npm run bench` under 5 minutes on 2 shared cores: churn 1,000,000
 * events (half its reference length), the others 250,000 — each past its warm-up into its steady
 * state — three timed rounds; an allocator that would spend more than 5 s on a source (the
 * @thi.ng/malloc adapter, the first-fit example) replays a shorter window of it (compare.ts).
 */

import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { UsageError } from '../allocators.js';
import { comparedFactory } from '../adapters/index.js';
import { DEFAULT_SEED, workloadNames } from '../workloads/index.js';
import type { Comparison, SourceResult } from './compare.js';
import { heapMap, type HeapMap } from './heap-map.js';
import { snapshotAt } from './snapshot.js';
import { bundledTraces, openSource, type SourceSpec } from './sources.js';

/** Events of each workload in `npm run bench` (others: `default`). */
export const BENCH_OPS: Readonly<Record<string, number>> = Object.freeze({ churn: 1_000_000, default: 250_000 });

/** bench/results, from bench/dist/report or bench/src/report. */
export const RESULTS_DIR = fileURLToPath(new URL('../../results/', import.meta.url));

/** The default sources: every workload at bench size, then every bundled trace. */
export function defaultSources(seed = DEFAULT_SEED, ops?: number): SourceSpec[] {
  return [
    ...workloadNames().map((name): SourceSpec => ({ kind: 'workload', name, seed, ops: ops ?? BENCH_OPS[name] ?? BENCH_OPS.default })),
    ...bundledTraces().map((file): SourceSpec => ({ kind: 'trace', file })),
  ];
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
    const snap = await snapshotAt(openSource(s.spec), comparedFactory(a.name), event, options.spaceMib);
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
