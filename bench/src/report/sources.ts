/*
 * What a comparison replays: built-in workloads (name, seed, events) and trace files, as replay
 * sources — whole, or cut to their first N events (the shorter window of a slow allocator).
 * What the report shows beside the runs (size histogram, peak live bytes) comes from one pass of
 * trace-stats.ts over the same source.
 *
 * Sample traces bundled with bench live in bench/traces/ (any *.trace, *.trace.gz, *.hltb,
 * *.hltb.gz): real programs recorded by bench/traces/record.sh (see its README). A directory
 * without them (a user's copy of bench/dist elsewhere) gives none.
 */

import { existsSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fileSource, type EventChunk, type TraceSource } from '@heaplab/core';
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
