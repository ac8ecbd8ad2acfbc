/*
 * What a comparison replays: built-in workloads (name, seed, events) and trace files, as replay
 * sources — whole, or cut to their first N events (the shorter window of a slow allocator) —
 * and one pass over a source's events for what the report shows beside the runs: the request
 * size histogram (power-of-two buckets), the events and the peak of live bytes.
 *
 * Sample traces bundled with bench live in bench/traces/ (any *.trace, *.trace.gz, *.hltb,
 * *.hltb.gz); none being there is fine.
 */

import { existsSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EV_FREE, EV_REALLOC, fileSource, type EventChunk, type TraceSource } from '@heaplab/core';
import { workload, workloadSource } from '../workloads/index.js';

/** One thing to replay. */
export type SourceSpec =
  | { kind: 'workload'; name: string; seed: number; ops?: number }
  | { kind: 'trace'; file: string };

/** bench/traces, from bench/dist/report or bench/src/report. */
export const TRACES_DIR = fileURLToPath(new URL('../../traces/', import.meta.url));

const TRACE_FILE = /\.(trace|hltb)(\.gz)?$/;

/** The bundled sample traces (sorted), or none. */
export function bundledTraces(dir = TRACES_DIR): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((f) => TRACE_FILE.test(f)).sort().map((f) => join(dir, f));
}

/** A short name for tables and plots: the workload's name, or the trace file's base name. */
export function sourceName(s: SourceSpec): string {
  return s.kind === 'workload' ? s.name : basename(s.file).replace(TRACE_FILE, '');
}

/** The replay source of a spec. */
export function openSource(s: SourceSpec): TraceSource {
  if (s.kind === 'workload') return workloadSource(workload(s.name), { seed: s.seed, ops: s.ops });
  return fileSource(s.file);
}

/** A source cut to its first `events` events. */
export function limitSource(source: TraceSource, events: number): TraceSource {
  if (!Number.isInteger(events) || events < 1) throw new RangeError(`limitSource: events must be a positive integer, got ${events}`);
  return {
    name: `${source.name} [first ${events} events]`,
    async *open() {
      let left = events;
      for await (const c of source.open()) {
        if (left <= 0) return;
        if (c.count <= left) {
          left -= c.count;
          yield c;
        } else {
          yield { ...c, count: left } satisfies EventChunk;
          return;
        }
      }
    },
  };
}

/** One bucket of the size histogram: requests of [lo, hi] bytes. */
export interface SizeBucket {
  lo: number;
  hi: number;
  count: number;
}

/** What one pass over a source's events says. */
export interface SourceProfile {
  events: number;
  program: string;
  requests: number;
  /** Requests under 100 bytes, as a fraction of all requests. */
  under100: number;
  /** Buckets 0, 1, 2–3, 4–7, … (only those with requests between the first and last non-empty). */
  sizes: SizeBucket[];
  /** Peak of the sum of requested sizes of live blocks (ids of the trace). */
  peakLive: number;
}

/** Reads a source once: size histogram, events, peak live bytes. One Map entry per live id. */
export async function profileSource(source: TraceSource): Promise<SourceProfile> {
  const buckets = new Float64Array(54);
  const live = new Map<number, number>();
  let liveBytes = 0;
  let peakLive = 0;
  let events = 0;
  let requests = 0;
  let under100 = 0;
  let program = '';
  for await (const c of source.open()) {
    program = c.program;
    for (let j = 0; j < c.count; j++) {
      events++;
      const k = c.kind[j]!;
      const id = c.id[j]!;
      if (k === EV_FREE) {
        liveBytes -= live.get(id) ?? 0;
        live.delete(id);
        continue;
      }
      if (k === EV_REALLOC) {
        const old = c.arg[j]!;
        liveBytes -= live.get(old) ?? 0;
        live.delete(old);
      }
      const size = c.size[j]!;
      requests++;
      if (size < 100) under100++;
      buckets[size === 0 ? 0 : Math.floor(Math.log2(size)) + 1]!++;
      if (id !== 0 && !(k === EV_REALLOC && size === 0)) {
        live.set(id, size);
        liveBytes += size;
        if (liveBytes > peakLive) peakLive = liveBytes;
      }
    }
  }
  let first = buckets.findIndex((b) => b > 0);
  let last = buckets.length - 1;
  while (last > 0 && buckets[last] === 0) last--;
  if (first < 0) first = last + 1;
  const sizes: SizeBucket[] = [];
  for (let b = first; b <= last; b++) sizes.push({ lo: b === 0 ? 0 : 2 ** (b - 1), hi: b === 0 ? 0 : 2 ** b - 1, count: buckets[b]! });
  return { events, program, requests, under100: requests > 0 ? under100 / requests : NaN, sizes, peakLive };
}
