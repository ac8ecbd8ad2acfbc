/*
 * What `heaplab bench` and `heaplab report` share: the default plan (every allocator, every
 * workload at bench sizes, the bundled traces), the heap maps of a comparison (each allocator on
 * one source at its own peak of used memory, or at a chosen event), and reading a saved
 * comparison back.
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
import { bundledTraces, limitSource, openSource, type SourceSpec } from './sources.js';

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

/** The event a heap map is drawn at: `at` when given, else the allocator's peak of used memory. */
export function heapMapEvent(s: SourceResult, allocator: string, at: number | undefined): number {
  const a = s.allocators.find((x) => x.name === allocator);
  const last = a?.window ?? s.events;
  if (at !== undefined) return Math.min(at, last);
  const peak = a?.result?.used.peakEvent ?? last - 1;
  return Math.min(last, peak + 1);
}

/** Heap maps of every allocator that ran on one source (default the first) of a comparison. */
export async function comparisonHeapMaps(c: Comparison, options: { source?: string; at?: number; spaceMib?: number } = {}): Promise<HeapMap[]> {
  if (c.sources.length === 0) return [];
  const s = options.source === undefined ? c.sources[0]! : c.sources.find((x) => x.name === options.source);
  if (!s) throw new UsageError(`--map-source: no source "${options.source}" in this comparison; sources: ${c.sources.map((x) => x.name).join(', ')}`);
  const maps: HeapMap[] = [];
  for (const a of s.allocators) {
    if (!a.result) continue;
    const event = heapMapEvent(s, a.name, options.at);
    const source = a.window !== null ? limitSource(openSource(s.spec), a.window) : openSource(s.spec);
    const snap = await snapshotAt(source, comparedFactory(a.name), event, options.spaceMib);
    maps.push(heapMap(snap.space, snap.blocks, { allocator: a.name, source: s.name, event: snap.events }));
  }
  return maps;
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
