/*
 * Runs the native C replay driver (bench/native, see its README) on a trace (text or binary) with every
 * native allocator this machine has — glibc, and where installed jemalloc, mimalloc, tcmalloc
 * (LD_PRELOAD) and musl's mallocng (the driver linked statically with musl-gcc) — and reads its
 * one-line JSON. Which allocators exist, and how to start each, comes from
 * `native-allocators.sh`; an allocator that is absent, or a driver that was not built, is
 * skipped with the script's reason, never an error.
 *
 * Each call runs every available allocator once (`-n 1`, a fresh process each, so every run
 * starts from an empty heap like a heaplab run on a fresh space); callers interleave calls with
 * their own runs and take medians.
 */

import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { NativeFigures } from './table.js';
import { median } from '@heaplab/core';

const exec = promisify(execFile);

/** bench/native, from bench/dist/metrics or bench/src/metrics. */
export const NATIVE_DIR = fileURLToPath(new URL('../../native/', import.meta.url));

/** The driver binary `make -C bench/native` builds (glibc, and the base of the LD_PRELOAD runs). */
export const NATIVE_DRIVER = join(NATIVE_DIR, 'build', 'heaplab-replay');

/** True when the driver is built (the musl build and preloads are optional on top). */
export function nativeDriverBuilt(dir = NATIVE_DIR): boolean {
  return existsSync(join(dir, 'build', 'heaplab-replay'));
}

/** Options of a native run. */
export interface NativeOptions {
  /** Footprint touch (`-p`): a byte in every page of each block too. */
  footprint: boolean;
  /** bench/native, or a directory laid out like it. Default NATIVE_DIR. */
  dir?: string;
  /** Run only these native allocators (by name, e.g. `['glibc']`). Default: every available one. */
  only?: readonly string[];
  /**
   * Also run the driver's floor (build/heaplab-replay-floor: the same loop with a do-nothing ring
   * allocator), reported as the allocator `floor`. Default false.
   */
  floor?: boolean;
}

/** What a native run gives: the figures of each allocator, and why others were skipped. */
export interface NativeRun {
  figures: NativeFigures[];
  skipped: string[];
}

/** One entry of `native-allocators.sh`. */
interface NativeEntry {
  name: string;
  available: boolean;
  driver?: string;
  preload?: string | null;
  reason?: string;
}

/** The fields of the driver's JSON line that are used here. */
interface DriverJson {
  allocator: string;
  ns_per_event_median: number;
  ns_per_event_runs: number[];
  peak_footprint_bytes: number;
  /** The driver's own baseline (absent from drivers built before the own-baseline footprint). */
  baseline_rss_bytes?: number;
  gross_peak_rss_bytes?: number;
  /** Absent from a driver built from an older replay.c (rebuild it: make -C bench/native). */
  minor_faults_runs?: number[];
  replayed_events: number;
  failures: number;
  unknown_id_events: number;
}

function parseJson<T>(stdout: string, what: string, check: (j: Partial<T>) => boolean, expected: string): T {
  const line = stdout.trim().split('\n').at(-1) ?? '';
  let j: Partial<T>;
  try {
    j = JSON.parse(line) as Partial<T>;
  } catch {
    throw new Error(`${what}: expected a JSON line on standard output, got ${JSON.stringify(line.slice(0, 80))}`);
  }
  if (!check(j)) throw new Error(`${what}: expected ${expected} in ${JSON.stringify(line.slice(0, 160))}`);
  return j as T;
}

/** The allocators native-allocators.sh lists (available or not). */
export async function nativeAllocators(dir = NATIVE_DIR): Promise<NativeEntry[]> {
  const script = join(dir, 'native-allocators.sh');
  if (!existsSync(script)) return [{ name: 'native', available: false, reason: `${script} is missing` }];
  const { stdout } = await exec('sh', [script], { cwd: dir, maxBuffer: 1 << 20 });
  return parseJson<NativeEntry[]>(stdout, 'native-allocators.sh', (j) => Array.isArray(j), 'a JSON array of allocators');
}

async function runOne(e: NativeEntry, trace: string, options: NativeOptions): Promise<NativeFigures> {
  const args = ['-n', '1', '-q', '-l', e.name, ...(options.footprint ? ['-p'] : []), trace];
  const env = e.preload ? { ...process.env, LD_PRELOAD: e.preload } : process.env;
  let stdout: string;
  try {
    ({ stdout } = await exec(e.driver!, args, { env, maxBuffer: 1 << 20 }));
  } catch (err) {
    const x = err as { stderr?: string; message: string };
    throw new Error(`native driver (${e.name}) failed: ${(x.stderr ?? '').trim() || x.message}`);
  }
  const j = parseJson<DriverJson>(
    stdout,
    `native driver (${e.name})`,
    (d) => typeof d.ns_per_event_median === 'number' && typeof d.peak_footprint_bytes === 'number',
    'ns_per_event_median and peak_footprint_bytes',
  );
  return {
    name: e.name,
    nsPerEvent: j.ns_per_event_median,
    runsNsPerEvent: Array.isArray(j.ns_per_event_runs) ? j.ns_per_event_runs : [j.ns_per_event_median],
    footprint: j.peak_footprint_bytes,
    ...(typeof j.baseline_rss_bytes === 'number' ? { baseline: j.baseline_rss_bytes } : {}),
    ...(typeof j.gross_peak_rss_bytes === 'number' ? { grossRss: j.gross_peak_rss_bytes } : {}),
    replayed: j.replayed_events,
    failures: j.failures,
    unknownIds: j.unknown_id_events,
    // One run per process (-n 1): its faults, unless the driver could not count them (-1).
    ...(Array.isArray(j.minor_faults_runs) && typeof j.minor_faults_runs[0] === 'number' && j.minor_faults_runs[0] >= 0 ? { minorFaults: j.minor_faults_runs[0] } : {}),
  };
}

/** Replays a trace (text or binary form) once with every native allocator available here, one after another. */
export async function runNative(trace: string, options: NativeOptions): Promise<NativeRun> {
  const dir = options.dir ?? NATIVE_DIR;
  const figures: NativeFigures[] = [];
  const skipped: string[] = [];
  if (!nativeDriverBuilt(dir)) {
    skipped.push(`the driver is not built (${join(dir, 'build', 'heaplab-replay')} is missing; \`npm explore heaplab -- npm run build:native\` builds it where gcc and make exist)`);
    return { figures, skipped };
  }
  for (const e of await nativeAllocators(dir)) {
    if (options.only !== undefined && !options.only.includes(e.name)) continue;
    if (!e.available || !e.driver) skipped.push(`${e.name} skipped: ${e.reason ?? 'not available'}`);
    else figures.push(await runOne(e, trace, options));
  }
  if (options.floor) {
    const driver = join(dir, 'build', 'heaplab-replay-floor');
    if (existsSync(driver)) figures.push(await runOne({ name: 'floor', available: true, driver, preload: null }, trace, options));
    else skipped.push(`floor skipped: ${driver} is not built`);
  }
  return { figures, skipped };
}

/**
 * Per native allocator over several rounds of runNative: the median of all its runs' times and of
 * its page faults, the largest footprint (with that round's baseline and gross RSS), the first
 * round's other counts.
 */
export function combineNative(rounds: readonly (readonly NativeFigures[])[]): NativeFigures[] {
  const byName = new Map<string, NativeFigures[]>();
  for (const round of rounds) for (const f of round) byName.set(f.name, [...(byName.get(f.name) ?? []), f]);
  return [...byName.values()].map((fs) => {
    const times = fs.flatMap((f) => f.runsNsPerEvent);
    const faults = fs.flatMap((f) => (f.minorFaults === undefined ? [] : [f.minorFaults]));
    // the footprint, its baseline and its gross RSS all of the round with the largest footprint
    const top = fs.reduce((a, b) => (b.footprint > a.footprint ? b : a));
    const { baseline, grossRss } = top;
    return {
      ...fs[0]!,
      nsPerEvent: median(times),
      runsNsPerEvent: times,
      footprint: top.footprint,
      ...(baseline !== undefined ? { baseline } : {}),
      ...(grossRss !== undefined ? { grossRss } : {}),
      ...(faults.length > 0 ? { minorFaults: median(faults) } : {}),
    };
  });
}

/**
 * Debian/Ubuntu packages that put each optional native allocator where native-allocators.sh
 * looks (/usr/lib/<multiarch>: libjemalloc.so.2, libmimalloc.so.2, libtcmalloc_minimal.so.4; musl:
 * musl-gcc, after which make builds build/heaplab-replay-musl). bench/native/README.md says more.
 */
export const NATIVE_PACKAGES: Readonly<Record<string, string>> = Object.freeze({
  jemalloc: 'libjemalloc2',
  mimalloc: 'libmimalloc2.0',
  tcmalloc: 'libtcmalloc-minimal4',
  musl: 'musl-tools',
});

/**
 * One line for the skip messages of native runs (runNative's `skipped`, from any number of runs):
 * which native allocators were skipped and the command that adds them — the apt-get packages of
 * those not installed, then `make -C bench/native` (which builds the driver, and musl's once
 * musl-gcc exists). Other messages (a driver that failed) follow after "also:". Null when nothing
 * was skipped. `heaplab replay --native` and `heaplab bench` print it once instead of every message.
 */
export function nativeSkipSummary(skipped: readonly string[]): string | null {
  const messages = [...new Set(skipped)];
  if (messages.length === 0) return null;
  const names: string[] = [];
  const packages: string[] = [];
  const others: string[] = [];
  let driverMissing = false;
  let build = false;
  for (const m of messages) {
    const skip = /^(\w+) skipped: (.*)$/.exec(m);
    const name = skip?.[1];
    if (/^the driver is not built/.test(m) || /^driver not built/.test(skip?.[2] ?? '')) {
      driverMissing = true;
      if (name && name in NATIVE_PACKAGES && !names.includes(name)) names.push(name);
    } else if (name && name in NATIVE_PACKAGES) {
      if (!names.includes(name)) names.push(name);
      // musl-gcc present, driver not rebuilt since: make alone adds it
      if (/^build\/\S+ not built/.test(skip![2]!)) build = true;
      else if (!packages.includes(NATIVE_PACKAGES[name]!)) packages.push(NATIVE_PACKAGES[name]!);
    } else others.push(m);
  }
  const parts: string[] = [];
  if (driverMissing) parts.push('native allocators skipped: the driver is not built');
  else if (names.length > 0) parts.push(`native allocators skipped: ${names.join(', ')}`);
  const steps: string[] = [];
  if (packages.length > 0) steps.push(`sudo apt-get install -y ${packages.join(' ')}`);
  if (packages.length > 0 || build || driverMissing) steps.push('make -C bench/native');
  if (steps.length > 0) parts.push(`add them with \`${steps.join(' && ')}\`${packages.length > 0 ? ' (Debian/Ubuntu; see bench/native/README.md)' : ''}`);
  if (others.length > 0) parts.push(`${parts.length > 0 ? 'also: ' : ''}${others.join('; ')}`);
  return parts.join('; ');
}
