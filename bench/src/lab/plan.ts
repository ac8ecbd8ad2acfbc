/*
 * Plans: checked, defaults filled in, allocator specs parsed (`resolvePlan`); read from a JSON
 * file (`readPlanFile`, errors name the file, the line and what was expected); and the default
 * plan of `npm run bench` (bench/plans/bench.json).
 *
 * A plan file:
 *   { "heaplabPlan": 1, "name": "bench", "runs": 5,
 *     "allocators": ["bump-freestack", "dlmalloc-style:policy=first-fit"],
 *     "windows": { "thing-malloc": 20000 },                      leading events, every source
 *     "sources": [
 *       { "workload": "churn", "seed": 1, "events": 1000000,     a built-in workload
 *         "windows": { "mmap-pages": 100000 }, "skip": { "x": "why" } },
 *       { "trace": "../traces/cc1-replay-c.trace.gz" } ] }      relative to the plan file
 * and any other Plan field (api.ts) with the same name and meaning.
 */

import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findNodeAtLocation, getNodeValue, parseTree, printParseErrorCode, type Node, type ParseError } from 'jsonc-parser';
import { UsageError } from '../allocators.js';
import { workload } from '../workloads/index.js';
import type { Plan, PlanSource, ResolvedPlan } from './api.js';
import { parseSpec } from './spec.js';
import { NOISY_ABOVE } from './stats.js';

/** bench/plans, from bench/dist/lab or bench/src/lab. */
export const PLANS_DIR = fileURLToPath(new URL('../../plans/', import.meta.url));
/** The plan `npm run bench` runs. */
export const BENCH_PLAN = resolve(PLANS_DIR, 'bench.json');

function positive(v: unknown, what: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw new UsageError(`${what}: expected a positive integer, got ${JSON.stringify(v)}`);
  return v;
}

function windowsOf(v: unknown, what: string): Record<string, number> {
  if (v === undefined) return {};
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new UsageError(`${what}: expected an object of allocator → events`);
  const out: Record<string, number> = {};
  for (const [k, n] of Object.entries(v)) out[parseSpec(k).spec] = positive(n, `${what}.${k}`);
  return out;
}

/** Fills a plan's defaults and checks it; throws a UsageError naming the field. */
export function resolvePlan(plan: Plan): ResolvedPlan {
  if (!Array.isArray(plan.allocators) || plan.allocators.length === 0) throw new UsageError('plan.allocators: expected at least one allocator');
  if (!Array.isArray(plan.sources) || plan.sources.length === 0) throw new UsageError('plan.sources: expected at least one source');
  const specs = plan.allocators.map((a) => parseSpec(a));
  const seen = new Set<string>();
  for (const s of specs) {
    if (seen.has(s.spec)) throw new UsageError(`plan.allocators: "${s.spec}" is named twice`);
    seen.add(s.spec);
  }
  const runs = positive(plan.runs ?? 5, 'plan.runs');
  const warmup = plan.warmup ?? 1;
  if (!Number.isInteger(warmup) || warmup < 0) throw new UsageError(`plan.warmup: expected an integer ≥ 0, got ${JSON.stringify(warmup)}`);
  const touch = plan.touch ?? 'speed';
  if (touch !== 'speed' && touch !== 'footprint') throw new UsageError(`plan.touch: expected "speed" or "footprint", got ${JSON.stringify(touch)}`);
  const spaceMib = positive(plan.spaceMib ?? 4096, 'plan.spaceMib');
  if (spaceMib > 2 ** 27) throw new UsageError(`plan.spaceMib: expected at most ${2 ** 27} (2^47 bytes; above 4096 the space is paged), got ${spaceMib}`);
  const native = plan.native ?? true;
  if (typeof native !== 'boolean' && !(Array.isArray(native) && native.every((n) => typeof n === 'string'))) throw new UsageError('plan.native: expected true, false or a list of native allocator names');
  const sources: PlanSource[] = plan.sources.map((s, i) => {
    const what = `plan.sources[${i}]`;
    if (s.source?.kind === 'workload') {
      workload(s.source.name);
      if (!Number.isInteger(s.source.seed) || s.source.seed < 0 || s.source.seed >= 2 ** 32) throw new UsageError(`${what}.seed: expected an integer in [0, 2^32)`);
      if (s.source.ops !== undefined) positive(s.source.ops, `${what}.events`);
    } else if (s.source?.kind !== 'trace' || typeof s.source.file !== 'string') throw new UsageError(`${what}: expected a workload or a trace`);
    const windows = windowsOf(s.windows, `${what}.windows`);
    const skip: Record<string, string> = {};
    for (const [k, why] of Object.entries(s.skip ?? {})) {
      if (typeof why !== 'string' || why === '') throw new UsageError(`${what}.skip.${k}: expected the reason as text`);
      skip[parseSpec(k).spec] = why;
    }
    return { source: s.source, ...(s.events !== undefined ? { events: positive(s.events, `${what}.events`) } : {}), windows, skip };
  });
  const profile = plan.profile === undefined ? null : parseSpec(plan.profile).spec;
  if (profile !== null && !seen.has(profile)) throw new UsageError(`plan.profile: "${profile}" is not one of the plan's allocators`);
  return {
    name: plan.name || 'plan',
    sources,
    allocators: specs.map((s) => s.spec),
    specs,
    windows: windowsOf(plan.windows, 'plan.windows'),
    runs,
    warmup,
    touch,
    native,
    floor: plan.floor ?? false,
    spaceMib,
    sampleEvery: plan.sampleEvery === undefined ? null : positive(plan.sampleEvery, 'plan.sampleEvery'),
    seriesPoints: positive(plan.seriesPoints ?? 400, 'plan.seriesPoints'),
    profile,
    profileDir: plan.profileDir ?? process.cwd(),
    noisyAbove: plan.noisyAbove ?? NOISY_ABOVE,
  };
}

/** The events an allocator replays of a plan's source: its window, or null for all of them. */
export function windowOf(plan: ResolvedPlan, source: PlanSource, spec: string): number | null {
  const w = source.windows?.[spec] ?? plan.windows[spec] ?? source.events ?? null;
  const cap = source.events ?? (source.source.kind === 'workload' ? source.source.ops : undefined);
  return w !== null && cap !== undefined && w >= cap ? (source.events ?? null) : w;
}

function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/**
 * Reads a plan file (JSON with comments); errors name the file and line. `under` is the path of
 * the plan inside the file when it is part of another document (a study file keeps its plan
 * under "plan", studies/README.md); a plan file of its own has `"heaplabPlan": 1` at its top.
 */
export function readPlanFile(file: string, under: string[] = []): ResolvedPlan {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`${file}: cannot read the plan (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  const errors: ParseError[] = [];
  const tree = parseTree(text, errors, { allowTrailingComma: true });
  if (errors.length > 0 || !tree) {
    const e = errors[0];
    throw new UsageError(`${file}:${e ? lineOf(text, e.offset) : 1}: expected a JSON plan (${e ? printParseErrorCode(e.error) : 'empty file'})`);
  }
  const at = (path: (string | number)[]): string => {
    const n: Node | undefined = findNodeAtLocation(tree, [...under, ...path]);
    return `${file}:${n ? lineOf(text, n.offset) : 1}`;
  };
  const node = under.length > 0 ? findNodeAtLocation(tree, under) : tree;
  if (!node) throw new UsageError(`${file}:1: expected "${under.join('.')}": a plan`);
  const raw = getNodeValue(node) as Record<string, unknown>;
  if (under.length === 0 && raw.heaplabPlan !== 1) throw new UsageError(`${at([])}: expected "heaplabPlan": 1 (a heaplab plan file)`);
  const base = dirname(resolve(file));
  const sourcesRaw = raw.sources;
  if (!Array.isArray(sourcesRaw)) throw new UsageError(`${at(['sources'])}: expected "sources": a list of workloads and traces`);
  const sources: PlanSource[] = sourcesRaw.map((s: Record<string, unknown>, i: number) => {
    const where = at(['sources', i]);
    const common = { windows: s.windows as Record<string, number> | undefined, skip: s.skip as Record<string, string> | undefined };
    if (typeof s.workload === 'string') {
      return { source: { kind: 'workload', name: s.workload, seed: (s.seed as number) ?? 1, ops: s.events as number | undefined }, ...common };
    }
    if (typeof s.trace === 'string') {
      return { source: { kind: 'trace', file: resolve(base, s.trace) }, ...(s.events !== undefined ? { events: s.events as number } : {}), ...common };
    }
    throw new UsageError(`${where}: expected a source with "workload" (and "seed", "events") or "trace" (a file relative to the plan)`);
  });
  try {
    return resolvePlan({ ...(raw as unknown as Plan), name: (raw.name as string) ?? file, sources });
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    // Map "plan.sources[2].windows.x" back to its line.
    const m = /^plan\.([A-Za-z]+)(?:\[(\d+)\])?(?:\.([A-Za-z-]+))?/.exec(e.message);
    const path: (string | number)[] = m ? [m[1]!, ...(m[2] !== undefined ? [Number(m[2])] : []), ...(m[3] !== undefined ? [m[3]] : [])] : [];
    throw new UsageError(`${at(path)}: ${e.message}`);
  }
}
