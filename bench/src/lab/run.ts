/*
 * The protocol: runs a resolved plan and returns its record (and appends it to a ledger).
 * Every figure heaplab prints comes from here: `heaplab replay`, `heaplab bench`, the report,
 * `heaplab lab run` and the scripts are callers.
 *
 * Per source, in this order:
 *   1. one pass over its events (trace-stats.ts): size histogram, peak live bytes; its binary form
 *      written to a temporary file (what the native driver replays) and hashed (sha256);
 *   2. each allocator's window from the plan (plan.ts windowOf) — never from a clock;
 *   3. one footprint-touch run of each allocator, each in its own isolate (isolate.ts), sampled
 *      (series kept), for the memory figures, which are deterministic: the same plan on the same
 *      commit gives the same M1–M4, peaks, system calls and pages touched. It also warms the
 *      isolate's JIT on the source, so no timed run is a cold isolate's first;
 *   4. `warmup` untimed runs of each allocator in the timed runs' touch (default 1): the JIT has
 *      compiled the loop for the footprint touch, and the first timed runs after it were slower;
 *   5. `runs` rounds, interleaved: in round r the allocators take turns starting from the r-th
 *      (so none is always first after the native driver), each a timed run in its isolate with
 *      nothing sampled before its last event; then the native driver on the whole source, and
 *      glibc alone on each shorter window, so every ratio to glibc is over the same events;
 *      then one native footprint run.
 * Footprint runs of a source may run `workers` at a time (each in its own isolate; their figures
 * are deterministic, and only their page-fault counts, which no table uses, share the process);
 * everything timed stays one run at a time. A shard (shard.ts) runs only its cells: the other
 * cells are recorded as skipped with the shard that owns them, and a source none of whose cells
 * it owns is left out of its record.
 * An allocator that throws is recorded with its error; the others go on. An allocator the plan
 * skips on a source is recorded as skipped, with the reason.
 */

import { createHash } from 'node:crypto';
import { createReadStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { median, writeTrace } from '@heaplab/core';
import { runNative, type NativeRun } from '../metrics/native.js';
import type { NativeFigures } from '../metrics/table.js';
import { limitSource, openSource, sourceName } from '../report/sources.js';
import { traceStats } from '../report/trace-stats.js';
import type { AllocatorRecord, AllocatorSpec, LabRecord, NativeRecord, RawRun, ResolvedPlan, Series, SourceRecord } from './api.js';
import { Isolate } from './isolate.js';
import { appendRecord, recordId } from './ledger.js';
import { windowOf } from './plan.js';
import { load, provenanceBefore } from './provenance.js';
import { progressBar } from '../report/progress.js';
import { planHash, shardOwners, type Shard } from './shard.js';
import { parseSpec, spaceMibOf } from './spec.js';
import { runsNs } from './summary.js';

/** The floor's allocator spec: a bump pointer in a 4 MiB ring whose free does nothing (factory.ts). */
export const FLOOR_SPEC = 'ring-bump';

/** Options of a plan's execution (not part of the plan: they change no figure). */
export interface RunPlanOptions {
  /** Append the record to this ledger; null: to none. */
  ledger: string | null;
  /** Progress lines (one per finished source). */
  log?: (line: string) => void;
  /** A progress bar on stderr when it is a terminal. Default true. */
  progress?: boolean;
  /** Run only this part of the plan's (source, allocator) cells (shard.ts). Default: all of them. */
  shard?: Shard | null;
  /**
   * Footprint runs made at once, each in its own isolate (their figures are deterministic, so
   * this changes none; the timed runs stay one at a time). Default 1.
   */
  workers?: number;
}

/** Runs `f` over `items`, at most `n` at a time, in order of start. */
async function pool<T>(items: readonly T[], n: number, f: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) await f(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(n, items.length)) }, lane));
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Keeps about `points` samples, always the first, the last and the sample of peak used. */
export function thinSeries(s: { event: number[]; used: number[]; live: number[] }, points: number): Series {
  const n = s.event.length;
  if (n <= points) return { event: [...s.event], used: [...s.used], live: [...s.live] };
  const step = n / points;
  let peak = 0;
  for (let i = 1; i < n; i++) if (s.used[i]! > s.used[peak]!) peak = i;
  const keep = new Set<number>([0, n - 1, peak]);
  for (let k = 0; k < points; k++) keep.add(Math.floor(k * step));
  const idx = [...keep].sort((a, b) => a - b);
  return { event: idx.map((i) => s.event[i]!), used: idx.map((i) => s.used[i]!), live: idx.map((i) => s.live[i]!) };
}

async function sha256(file: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(file)) h.update(chunk as Buffer);
  return h.digest('hex');
}

async function nativeRun(file: string, footprint: boolean, only: readonly string[] | undefined, floor = false): Promise<NativeRun> {
  try {
    return await runNative(file, { footprint, only, floor });
  } catch (e) {
    return { figures: [], skipped: [`native driver failed: ${message(e)}`] };
  }
}

/** Runs a plan: see the top of this file. */
export async function runPlan(plan: ResolvedPlan, options: RunPlanOptions): Promise<LabRecord> {
  const t0 = performance.now();
  const log = options.log ?? (() => {});
  const before = await provenanceBefore();
  const specs: AllocatorSpec[] = plan.floor ? [...plan.specs, parseSpec(FLOOR_SPEC)] : plan.specs;
  const shard = options.shard ?? null;
  const workers = Math.max(1, Math.floor(options.workers ?? 1));
  const owner = shardOwners(plan, specs.map((s) => s.spec), shard?.count ?? 1);
  const owns = (si: number, column: number): boolean => shard === null || owner(si, column) === shard.index;
  const isolates = specs.map((s, i) => (plan.sources.some((_, si) => owns(si, i)) ? new Isolate(s) : null));
  const only = Array.isArray(plan.native) ? plan.native : undefined;
  let native = plan.native !== false && (only === undefined || only.length > 0);
  const ownedSpecs = (si: number): number => specs.filter((_, i) => owns(si, i)).length;
  const steps = plan.sources.reduce((n, _, si) => n + ownedSpecs(si) * (plan.runs + plan.warmup + 1) + (native && owns(si, specs.length) ? plan.runs + 1 : 0), 0);
  const bar = progressBar(steps, { enabled: options.progress === false ? false : undefined });
  const runOptions = { space: { size: plan.spaceMib * 2 ** 20 }, ...(plan.sampleEvery !== null ? { sampleEvery: plan.sampleEvery } : {}) };
  // A spec may ask for its own space size (`zoned-classes:spaceMib=256`, spec.ts).
  const optionsOf = (i: number) => ({ ...runOptions, space: { size: (spaceMibOf(specs[i]!) ?? plan.spaceMib) * 2 ** 20 } });
  const sources: SourceRecord[] = [];
  let footprintMs = 0;
  try {
    for (const [si, ps] of plan.sources.entries()) {
      const nativeHere = native && owns(si, specs.length);
      if (ownedSpecs(si) === 0 && !nativeHere) continue;
      const name = sourceName(ps.source);
      bar.label(`${name}: reading`);
      const whole = ps.events !== undefined ? limitSource(openSource(ps.source), ps.events) : openSource(ps.source);
      const profile = await traceStats(whole);
      const tmp = mkdtempSync(join(tmpdir(), 'heaplab-lab-'));
      try {
        const file = join(tmp, `${name}.hltb`);
        await writeTrace(file, whole.open(), { program: profile.program || name, format: 'binary' });
        const digest = ps.source.kind === 'trace' && ps.events === undefined ? await sha256(ps.source.file) : await sha256(file);
        const windows = specs.map((s) => windowOf(plan, ps, s.spec));
        const shorter = [...new Set(windows.filter((w): w is number => w !== null && w < profile.events))].sort((a, b) => a - b);
        const windowFiles = new Map<number, string>();
        for (const w of shorter) {
          const f = join(tmp, `${name}.${w}.hltb`);
          await writeTrace(f, limitSource(whole, w).open(), { program: profile.program || name, format: 'binary' });
          windowFiles.set(w, f);
        }
        const records: AllocatorRecord[] = specs.map((s, i) => ({
          spec: s.spec,
          name: s.name,
          label: s.spec,
          resolved: null,
          window: windows[i] !== null && windows[i]! < profile.events ? windows[i]! : null,
          timed: [],
          footprint: null,
          anomalies: null,
          series: null,
          threadId: null,
          classes: [],
          error: owns(si, i) ? (ps.skip?.[s.spec] ?? null) : `run by shard ${owner(si, i)}/${shard!.count}`,
          skipped: !owns(si, i) || ps.skip?.[s.spec] !== undefined,
        }));
        // The source each isolate replays: the whole (or the plan's cut of it), or its window.
        const sourceOf = (i: number) => ({ source: ps.source, window: records[i]!.window ?? ps.events ?? null });
        const nativeRecords: NativeRecord[] = [{ window: null, runs: [], footprint: [] }, ...shorter.map((w) => ({ window: w, runs: [], footprint: [] }))];
        const skipped = new Set<string>();
        // The footprint runs first: each also warms its isolate's JIT on this source, so no timed
        // run is the first a cold isolate makes. `workers` of them at once, each in its isolate.
        const tf = performance.now();
        await pool([...records.keys()].filter((i) => owns(si, i)), workers, async (i) => {
          const rec = records[i]!;
          bar.label(`${name}: ${rec.spec} footprint run`);
          if (rec.error === null) {
            try {
              const run = await isolates[i]!.run({ ...sourceOf(i), options: { ...optionsOf(i), touch: 'footprint', samples: 'periodic', series: true }, profile: null });
              const { series, allocator, allocatorName: _n, ...raw } = run.figures;
              rec.footprint = raw as RawRun;
              rec.anomalies = run.anomalies;
              if (run.physical !== null) rec.physical = run.physical;
              rec.series = series ? thinSeries(series, plan.seriesPoints) : null;
              rec.label = allocator;
              rec.resolved = run.resolved;
              rec.threadId = run.threadId;
              rec.classes = run.classes;
            } catch (e) {
              rec.error = message(e);
            }
          }
          bar.tick(name);
        });
        footprintMs += performance.now() - tf;
        // Warm-up runs, untimed and not recorded, in the timed runs' touch (see Plan.warmup).
        for (let w = 0; w < plan.warmup; w++) {
          for (const [i, rec] of records.entries()) {
            if (rec.error !== null) continue;
            bar.label(`${name}: ${rec.spec} warm-up`);
            try {
              await isolates[i]!.run({ ...sourceOf(i), options: { ...optionsOf(i), touch: plan.touch, samples: plan.touch === 'footprint' ? 'periodic' : 'end', series: false }, profile: null });
            } catch (e) {
              rec.error = message(e);
            }
            bar.tick(name);
          }
        }
        for (let r = 0; r < plan.runs; r++) {
          for (let k = 0; k < specs.length; k++) {
            const i = (k + r) % specs.length;
            const rec = records[i]!;
            bar.label(`${name}: ${rec.spec} run ${r + 1}/${plan.runs}`);
            if (!owns(si, i)) continue;
            if (rec.error === null) {
              try {
                const profileFile = plan.profile === rec.spec && r === 0 ? join(plan.profileDir, `${name}.${rec.spec.replace(/[^A-Za-z0-9._-]/g, '_')}.cpuprofile`) : null;
                const run = await isolates[i]!.run({ ...sourceOf(i), options: { ...optionsOf(i), touch: plan.touch, samples: plan.touch === 'footprint' ? 'periodic' : 'end', series: false }, profile: profileFile });
                const { series: _s, allocator, allocatorName: _n, ...raw } = run.figures;
                rec.timed.push(raw as RawRun);
                rec.label = allocator;
                rec.resolved = run.resolved;
                rec.threadId = run.threadId;
                if (profileFile !== null) log(`${name}: CPU profile of ${rec.spec}'s first timed run: ${profileFile}`);
              } catch (e) {
                rec.error = message(e);
              }
            }
            bar.tick(name);
          }
          if (native && nativeHere) {
            bar.label(`${name}: native run ${r + 1}/${plan.runs}`);
            const n = await nativeRun(file, plan.touch === 'footprint', only, plan.floor);
            n.skipped.forEach((s) => skipped.add(s));
            if (n.figures.length === 0) native = false;
            else nativeRecords[0]!.runs.push(n.figures);
            for (const rec of nativeRecords.slice(1)) {
              if (!native) break;
              bar.label(`${name}: glibc on the first ${rec.window} events, run ${r + 1}/${plan.runs}`);
              const g = await nativeRun(windowFiles.get(rec.window!)!, plan.touch === 'footprint', ['glibc']);
              if (g.figures.length > 0) rec.runs.push(g.figures);
            }
            bar.tick(name);
          }
        }
        if (native && nativeHere && nativeRecords[0]!.runs.length > 0) {
          bar.label(`${name}: native footprint run`);
          nativeRecords[0]!.footprint = (await nativeRun(file, true, only)).figures;
          bar.tick(name);
        }
        sources.push({
          name,
          spec: ps.source,
          sha256: digest,
          program: profile.program,
          events: profile.events,
          requests: profile.requests,
          under100: profile.under100,
          peakLive: profile.peakLiveBytes,
          sizes: profile.sizes,
          allocators: records,
          native: nativeRecords.filter((n) => n.runs.length > 0),
          nativeSkipped: [...skipped],
        });
        log(`${name}: ${profile.events} events, ${records.filter((_, i) => owns(si, i)).map((r) => `${r.spec} ${r.timed.length > 0 ? `${median(runsNs(r.timed)).toFixed(0)} ns` : r.skipped ? 'skipped' : 'failed'}`).join(', ')}${nativeFiguresText(nativeRecords[0]!.runs)}`);
      } finally {
        rmSync(tmp, { recursive: true, force: true });
      }
    }
  } finally {
    bar.stop();
    await Promise.all(isolates.map((x) => x?.close()));
  }
  const content = JSON.stringify({ plan, shard, sources });
  const seconds = (performance.now() - t0) / 1000;
  const phases = { footprintSeconds: footprintMs / 1000, timedSeconds: seconds - footprintMs / 1000, workers };
  const provenance = { ...before, loadAfter: load(), seconds, phases };
  const record: LabRecord = { heaplabRecord: 1, id: recordId(before.date, content), plan, planHash: planHash(plan), ...(shard !== null ? { shard } : {}), provenance, sources };
  if (options.ledger !== null) appendRecord(options.ledger, record);
  return record;
}

function nativeFiguresText(runs: readonly NativeFigures[][]): string {
  if (runs.length === 0) return '';
  return runs[0]!.map((n) => `, ${n.name} ${n.nsPerEvent.toFixed(0)} ns`).join('');
}
