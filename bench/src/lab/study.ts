/*
 * Studies: a claim from the literature, a plan that tests it, and a verdict computed from the
 * plan's ledger record by a rule the study states. One file per study, studies/NAME.json:
 *
 *   { "heaplabStudy": 1, "name": "placement", "order": 1, "title": "…",
 *     "claim": "…", "after": "who made the claim",
 *     "plan": { …a plan, as in a plan file (sources relative to the study file)… },
 *     "probes": [ …probes.ts ProbeSpec… ],                       optional
 *     "table": ["m4", "usedPeak", …],                             optional: figures per cell
 *     "sourceTable": ["under100", "under1k", "atLeast128k"],      optional: figures per source
 *     "pareto": true,                                             optional: the front table
 *     "checks": [ { "what": "…", "figure": "m4", "a": SPEC, "op": "<=", "b": SPEC, "factor": 1 },
 *                 { "what": "…", "figure": "under100", "op": ">=", "value": 0.98 }, … ],
 *     "verdict": { "supports": 0.9, "partly": 0.5 } }
 *
 * A check compares a figure of allocator `a` with allocator `b`'s (times `factor`) or with a
 * `value`, on every source of the record (or its `sources`); a source figure (no `a`) is compared
 * per source; a probe figure once. Every comparison counts one. The verdict: the share of
 * comparisons that hold, at least `supports` → supports, at least `partly` → partly supports,
 * else refutes. Nothing in a section is typed: `renderStudy` makes it from the study file and
 * its record, and `checkStudies` re-renders every section of studies/README.md and lists those
 * that differ (a test asserts none do).
 *
 * A section in studies/README.md:
 *   <!-- heaplab:study:NAME:start -->
 *   <!-- study record=ID -->
 *   …rendered…
 *   <!-- heaplab:study:NAME:end -->
 * Its records are kept in studies/records.jsonl, the committed ledger of the studies.
 */

import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { getNodeValue, parseTree } from 'jsonc-parser';
import { writeFileAtomicSync } from '@heaplab/core';
import { UsageError } from '../allocators.js';
import type { LabRecord, ResolvedPlan, SourceRecord } from './api.js';
import { renderFigures } from './figures.js';
import { appendRecord, findRecord, recordId } from './ledger.js';
import { frontTable } from './pareto.js';
import { readPlanFile } from './plan.js';
import { PROBE_FIGURES, checkProbe, probeFigure, runProbe, type ProbeRecord, type ProbeSpec } from './probes.js';
import { runPlan } from './run.js';
import { planHash } from './shard.js';
import { parseSpec, spaceMibOf } from './spec.js';
import { summarize } from './summary.js';

/** The studies folder at the root of the repository, from bench/src/lab or bench/dist/lab. */
export const STUDIES_DIR = fileURLToPath(new URL('../../../studies/', import.meta.url));
/** The committed ledger of the studies' records. */
export const STUDIES_LEDGER = join(STUDIES_DIR, 'records.jsonl');
/** The document whose sections the studies render. */
export const STUDIES_README = join(STUDIES_DIR, 'README.md');

/** One comparison of a study's rule. */
export interface Check {
  what: string;
  figure: string;
  a?: string;
  op: '<' | '<=' | '>' | '>=';
  b?: string;
  factor?: number;
  value?: number;
  sources?: string[];
}

/** A study file, read and checked. */
export interface Study {
  name: string;
  order: number;
  title: string;
  claim: string;
  after: string;
  file: string;
  plan: ResolvedPlan;
  probes: ProbeSpec[];
  table: string[];
  sourceTable: string[];
  pareto: boolean;
  checks: Check[];
  verdict: { supports: number; partly: number };
}

/** Figures of one allocator on one source: name → [title, digits]. */
export const CELL_FIGURES: Record<string, [string, number]> = {
  ns: ['ns per event (median)', 1],
  m1: ['M1', 3],
  m2: ['M2', 3],
  m3: ['M3', 3],
  m4: ['M4', 3],
  usedPeakMib: ['peak used, MiB', 2],
  livePeakMib: ['peak live served, MiB', 2],
  liveServed: ['share of the source\'s peak live served', 3],
  failures: ['failed requests', 0],
  syscalls: ['system calls', 0],
  mmap: ['mmap calls', 0],
  munmap: ['munmap calls', 0],
  brk: ['brk calls', 0],
  internal: ['internal fragmentation, %', 1],
  mappedPeakMib: ['peak mapped, MiB', 1],
  spaceMib: ['address space, MiB', 0],
  framesPeak: ['peak page frames in use', 0],
  framesPeakMib: ['peak page frames in use, MiB', 2],
  largestFreeOrder: ['largest free order after the run', 0],
};
/** Figures of a source. */
export const SOURCE_FIGURES: Record<string, [string, number]> = {
  under100: ['requests under 100 B', 3],
  under1k: ['requests under 1 KiB', 3],
  atLeast128k: ['requests of 128 KiB or more', 5],
  peakLiveMib: ['peak live, MiB', 2],
  requests: ['requests', 0],
};
/** Figures of the probes. */
export const PROBE_FIGURE_TITLES: Record<(typeof PROBE_FIGURES)[number], [string, number]> = {
  uafCaught: ['share of reuse distances where a use after free is caught', 3],
  doubleFreeCaught: ['share of reuse distances where a double free is caught', 3],
  zoneLiveMib: ['live MiB one size class holds when its zone is exhausted (largest over sizes)', 2],
  spaceOverZoneLive: ['address space ÷ those live bytes', 1],
  exhaustedShare: ['share of sizes whose zone was exhausted', 3],
};

const MIB = 2 ** 20;

/** A figure of allocator `spec` on source `s` (NaN when it did not run). */
export function cellFigure(record: LabRecord, s: SourceRecord, spec: string, figure: string): number {
  const i = s.allocators.findIndex((a) => a.spec === spec);
  if (i < 0) throw new UsageError(`record ${record.id} has no allocator "${spec}" on ${s.name}`);
  const a = s.allocators[i]!;
  const f = a.footprint;
  if (figure === 'spaceMib') return spaceMibOf(parseSpec(spec)) ?? record.plan.spaceMib;
  if (figure === 'ns') return summarize(record, s)[i]!.time?.median ?? NaN;
  if (f === null) return NaN;
  switch (figure) {
    case 'm1': return f.m1;
    case 'm2': return f.m2;
    case 'm3': return f.m3;
    case 'm4': return f.m4;
    case 'usedPeakMib': return f.used.peak / MIB;
    case 'livePeakMib': return f.live.peak / MIB;
    case 'liveServed': return s.peakLive > 0 ? f.live.peak / s.peakLive : NaN;
    case 'failures': return f.failures;
    case 'syscalls': return f.syscalls.total;
    case 'mmap': return f.syscalls.mmap;
    case 'munmap': return f.syscalls.munmap;
    case 'brk': return f.syscalls.brk;
    case 'internal': return f.internal.ratio * 100;
    case 'mappedPeakMib': return f.mapped.peak / MIB;
    case 'framesPeak': return a.physical ? a.physical.peakFramesInUse : NaN;
    case 'framesPeakMib': return a.physical ? (a.physical.peakFramesInUse * a.physical.pageSize) / MIB : NaN;
    case 'largestFreeOrder': return a.physical ? a.physical.largestFreeOrder : NaN;
  }
  throw new UsageError(`unknown figure "${figure}"; figures: ${[...Object.keys(CELL_FIGURES), ...Object.keys(SOURCE_FIGURES), ...PROBE_FIGURES].join(', ')}`);
}

/** A figure of a source. */
export function sourceFigure(s: SourceRecord, figure: string): number {
  const total = s.sizes.reduce((n, b) => n + b.count, 0);
  switch (figure) {
    case 'under100': return s.under100;
    case 'under1k': return total > 0 ? s.sizes.filter((b) => b.hi < 1024).reduce((n, b) => n + b.count, 0) / total : NaN;
    case 'atLeast128k': return total > 0 ? s.sizes.filter((b) => b.lo >= 128 * 1024).reduce((n, b) => n + b.count, 0) / total : NaN;
    case 'peakLiveMib': return s.peakLive / MIB;
    case 'requests': return s.requests;
  }
  throw new UsageError(`unknown source figure "${figure}"; source figures: ${Object.keys(SOURCE_FIGURES).join(', ')}`);
}

const isProbe = (f: string): boolean => (PROBE_FIGURES as readonly string[]).includes(f);
const isSource = (f: string): boolean => f in SOURCE_FIGURES;

/** Reads a study file; errors name the file and the field. */
export function readStudy(file: string): Study {
  const text = readFileSync(file, 'utf8');
  const tree = parseTree(text, [], { allowTrailingComma: true });
  const raw = (tree ? getNodeValue(tree) : null) as Record<string, unknown> | null;
  if (!raw || raw.heaplabStudy !== 1) throw new UsageError(`${file}: expected "heaplabStudy": 1 (a heaplab study file)`);
  const str = (k: string): string => {
    if (typeof raw[k] !== 'string' || raw[k] === '') throw new UsageError(`${file}: "${k}": expected text`);
    return raw[k] as string;
  };
  const name = str('name');
  if (name !== basename(file).replace(/\.json$/, '')) throw new UsageError(`${file}: "name" must be the file's name (${basename(file, '.json')}), got "${name}"`);
  const plan = readPlanFile(file, ['plan']);
  const probes = ((raw.probes as ProbeSpec[] | undefined) ?? []).map((p, i) => checkProbe(p, `${file}: probes[${i}]`));
  const checks = raw.checks as Check[] | undefined;
  if (!Array.isArray(checks) || checks.length === 0) throw new UsageError(`${file}: "checks": expected the comparisons the verdict counts`);
  const specs = new Set(plan.allocators);
  const probeSpecs = new Set(probes.flatMap((p) => p.allocators.map((a) => parseSpec(a).spec)));
  checks.forEach((c, i) => {
    const where = `${file}: checks[${i}]`;
    if (typeof c.what !== 'string' || c.what === '') throw new UsageError(`${where}.what: expected the comparison in words`);
    if (!['<', '<=', '>', '>='].includes(c.op)) throw new UsageError(`${where}.op: expected <, <=, > or >=`);
    if ((c.b === undefined) === (c.value === undefined)) throw new UsageError(`${where}: expected either "b" (an allocator) or "value" (a number)`);
    const known = isProbe(c.figure) || isSource(c.figure) || c.figure in CELL_FIGURES;
    if (!known) throw new UsageError(`${where}.figure: unknown figure "${c.figure}"`);
    const pool = isProbe(c.figure) ? probeSpecs : specs;
    for (const k of ['a', 'b'] as const) {
      if (c[k] === undefined) continue;
      c[k] = parseSpec(c[k]!).spec;
      if (!pool.has(c[k]!)) throw new UsageError(`${where}.${k}: "${c[k]}" is not one of the study's ${isProbe(c.figure) ? 'probed allocators' : 'allocators'}`);
    }
    if (!isSource(c.figure) && c.a === undefined) throw new UsageError(`${where}.a: expected the allocator whose ${c.figure} is compared`);
  });
  const v = (raw.verdict ?? {}) as { supports?: number; partly?: number };
  const verdict = { supports: v.supports ?? 1, partly: v.partly ?? 0.5 };
  if (!(verdict.partly > 0 && verdict.partly <= verdict.supports && verdict.supports <= 1)) throw new UsageError(`${file}: "verdict": expected 0 < partly ≤ supports ≤ 1`);
  const list = (k: string, known: Record<string, unknown>): string[] => {
    const l = (raw[k] as string[] | undefined) ?? [];
    for (const f of l) if (!(f in known)) throw new UsageError(`${file}: "${k}": unknown figure "${f}"`);
    return l;
  };
  return {
    name,
    order: typeof raw.order === 'number' ? raw.order : 99,
    title: str('title'),
    claim: str('claim'),
    after: str('after'),
    file,
    plan,
    probes,
    table: list('table', CELL_FIGURES),
    sourceTable: list('sourceTable', SOURCE_FIGURES),
    pareto: raw.pareto === true,
    checks,
    verdict,
  };
}

/** Every study file of the folder, in their order. */
export function studyFiles(dir = STUDIES_DIR): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((f) => f.endsWith('.json')).map((f) => join(dir, f));
}

/** The study of a name. */
export function findStudy(name: string, dir = STUDIES_DIR): Study {
  const file = join(dir, `${name}.json`);
  if (!existsSync(file)) throw new UsageError(`no study "${name}"; studies: ${studyFiles(dir).map((f) => basename(f, '.json')).join(', ') || 'none'} (in ${dir})`);
  return readStudy(file);
}

/** One evaluated comparison. */
export interface CheckResult {
  check: Check;
  source: string;
  a: number;
  b: number;
  holds: boolean;
}

function compare(x: number, op: Check['op'], y: number): boolean {
  if (!Number.isFinite(x) || !Number.isFinite(y)) return false;
  return op === '<' ? x < y : op === '<=' ? x <= y : op === '>' ? x > y : x >= y;
}

/** Every comparison of a study's rule on a record. */
export function evaluate(study: Study, record: LabRecord): CheckResult[] {
  const out: CheckResult[] = [];
  const probes: ProbeRecord[] = record.probes ?? [];
  for (const c of study.checks) {
    const rhs = (b: number): number => (c.value !== undefined ? c.value : b * (c.factor ?? 1));
    if (isProbe(c.figure)) {
      const a = probeFigure(probes, c.a!, c.figure);
      const b = c.b !== undefined ? probeFigure(probes, c.b, c.figure) : NaN;
      out.push({ check: c, source: '—', a, b: rhs(b), holds: compare(a, c.op, rhs(b)) });
      continue;
    }
    for (const s of record.sources) {
      if (c.sources && !c.sources.includes(s.name)) continue;
      if (isSource(c.figure)) {
        const a = sourceFigure(s, c.figure);
        out.push({ check: c, source: s.name, a, b: rhs(NaN), holds: compare(a, c.op, rhs(NaN)) });
        continue;
      }
      const a = cellFigure(record, s, c.a!, c.figure);
      const b = c.b !== undefined ? cellFigure(record, s, c.b, c.figure) : NaN;
      out.push({ check: c, source: s.name, a, b: rhs(b), holds: compare(a, c.op, rhs(b)) });
    }
  }
  return out;
}

/** The verdict a rule gives on its comparisons. */
export function verdictOf(study: Study, results: readonly CheckResult[]): { verdict: 'supports' | 'partly supports' | 'refutes'; held: number; total: number } {
  const held = results.filter((r) => r.holds).length;
  const total = results.length;
  const share = total > 0 ? held / total : 0;
  return { verdict: share >= study.verdict.supports ? 'supports' : share >= study.verdict.partly ? 'partly supports' : 'refutes', held, total };
}

function num(n: number, digits: number): string {
  if (!Number.isFinite(n)) return '—';
  return digits === 0 || Math.abs(n) >= 10000 ? Math.round(n).toLocaleString('en-US') : n.toFixed(digits);
}

const digitsOf = (figure: string): number => CELL_FIGURES[figure]?.[1] ?? SOURCE_FIGURES[figure]?.[1] ?? PROBE_FIGURE_TITLES[figure as (typeof PROBE_FIGURES)[number]]?.[1] ?? 3;

function probeTables(probes: readonly ProbeRecord[]): string[] {
  const out: string[] = [];
  const reuse = probes.filter((p) => p.kind === 'reuse-after-free');
  if (reuse.length > 0) {
    const first = reuse[0]!;
    out.push(`Reuse after free (misuse kit, ${first.kind === 'reuse-after-free' ? `${first.freed} blocks of ${first.size} B freed first` : ''}): what \`objectSize(p)\` / a second \`free(p)\` raise after p was freed and k more blocks of its size were allocated.`, '');
    out.push(`| allocator | ${first.rows.map((r) => `k = ${r.after}`).join(' | ')} |`, `|---|${first.rows.map(() => ':---:').join('|')}|`);
    for (const p of reuse) out.push(`| ${p.allocator} | ${p.rows.map((r) => `${r.useAfterFree === 'use-after-free' ? 'caught' : 'missed'} / ${r.doubleFree === 'double-free' ? 'caught' : 'missed'}`).join(' | ')} |`);
    out.push('');
  }
  const zones = probes.filter((p) => p.kind === 'zone-capacity');
  if (zones.length > 0) {
    out.push('Zone capacity (one size class filled until malloc returns 0):', '', '| allocator | address space, MiB | request size, B | blocks | live MiB | resident MiB | committed MiB | zone exhausted |', '|---|---:|---:|---:|---:|---:|---:|:---:|');
    for (const p of zones) if (p.kind === 'zone-capacity') for (const r of p.rows) out.push(`| ${p.allocator} | ${num(r.spaceBytes / MIB, 0)} | ${r.size} | ${num(r.blocks, 0)} | ${num(r.liveBytes / MIB, 2)} | ${num(r.resident / MIB, 2)} | ${num(r.committed / MIB, 2)} | ${r.exhausted ? 'yes' : 'no'} |`);
    out.push('');
  }
  return out;
}

/** The section of a study, rendered from its record. */
export function renderStudy(study: Study, record: LabRecord): string {
  const p = record.plan;
  const sources = record.sources.map((s) => {
    const w = s.allocators.find((a) => a.window !== null)?.window;
    return `${s.name} (${s.events.toLocaleString('en-US')} events${w ? `, some allocators the first ${w.toLocaleString('en-US')}` : ''})`;
  });
  const prov = record.provenance;
  const lines: string[] = [
    `### ${study.order}. ${study.title}`,
    '',
    `**Claim** (${study.after}). ${study.claim}`,
    '',
    `**Plan** ([\`studies/${study.name}.json\`](${study.name}.json); re-run with \`heaplab study ${study.name}\`): ${p.allocators.map((a) => `\`${a}\``).join(', ')} on ${sources.join(', ')}; ${p.runs} timed run${p.runs > 1 ? 's' : ''} each, interleaved, each allocator in its own isolate; memory figures from a footprint run.${study.probes.length > 0 ? ` Probes: ${study.probes.map((x) => `${x.kind} on ${x.allocators.map((a) => `\`${a}\``).join(', ')}`).join('; ')}.` : ''}`,
    '',
    `**Figures** from record \`${record.id}\` (commit ${prov.commit?.slice(0, 10) ?? 'unknown'}${prov.dirty ? ' with uncommitted changes' : ''}, ${prov.cpu.count} × ${prov.cpu.model}, load ${prov.loadBefore[0]?.toFixed(1) ?? '?'}, ${prov.seconds.toFixed(0)} s):`,
    '',
  ];
  if (study.sourceTable.length > 0) {
    lines.push(`| source | ${study.sourceTable.map((f) => SOURCE_FIGURES[f]![0]).join(' | ')} |`, `|---|${study.sourceTable.map(() => '---:').join('|')}|`);
    for (const s of record.sources) lines.push(`| ${s.name} | ${study.sourceTable.map((f) => num(sourceFigure(s, f), digitsOf(f))).join(' | ')} |`);
    lines.push('');
  }
  if (study.table.length > 0) {
    lines.push(`| source | allocator | ${study.table.map((f) => CELL_FIGURES[f]![0]).join(' | ')} |`, `|---|---|${study.table.map(() => '---:').join('|')}|`);
    for (const s of record.sources) for (const a of s.allocators) lines.push(`| ${s.name} | ${a.spec} | ${study.table.map((f) => num(cellFigure(record, s, a.spec, f), digitsOf(f))).join(' | ')} |`);
    lines.push('');
  } else {
    lines.push(renderFigures(record, { record: record.id, allocators: p.allocators, sources: null, native: [] }, `studies/README.md (study ${study.name})`), '');
  }
  lines.push(...probeTables(record.probes ?? []));
  if (study.pareto) lines.push('The Pareto front of each source (no other setting both faster and tighter):', '', frontTable(record), '');
  const results = evaluate(study, record);
  const v = verdictOf(study, results);
  lines.push(
    `**Rule** (from the study file): each comparison below counts one; the claim is supported when at least ${Math.round(study.verdict.supports * 100)} % hold, partly supported when at least ${Math.round(study.verdict.partly * 100)} % do, refuted otherwise.`,
    '',
    '| comparison | source | figure | A | B | holds |',
    '|---|---|---|---:|---:|:---:|',
  );
  for (const r of results) {
    const c = r.check;
    const d = digitsOf(c.figure);
    const rhs = c.value !== undefined ? `${num(c.value, d)}` : `${c.b}${c.factor !== undefined && c.factor !== 1 ? ` × ${c.factor}` : ''}: ${num(r.b, d)}`;
    lines.push(`| ${c.what} | ${r.source} | ${c.figure} | ${c.a ?? r.source}: ${num(r.a, d)} | ${c.op} ${rhs} | ${r.holds ? 'yes' : 'no'} |`);
  }
  lines.push('', `**Verdict: ${v.verdict}** — ${v.held} of ${v.total} comparisons hold.`);
  return lines.join('\n');
}

const SECTION = (name: string): RegExp => new RegExp(`(<!-- heaplab:study:${name}:start -->\\n)(<!-- study record=([^ ]+) -->\\n)?([\\s\\S]*?)(<!-- heaplab:study:${name}:end -->)`);
const ANY_SECTION = /<!-- heaplab:study:([a-z0-9-]+):start -->/g;

/** The README's text with one study's section rendered from `record` (added at the end when missing). */
export function replaceStudySection(text: string, study: Study, record: LabRecord): string {
  const body = `<!-- heaplab:study:${study.name}:start -->\n<!-- study record=${record.id} -->\n${renderStudy(study, record)}\n<!-- heaplab:study:${study.name}:end -->`;
  const re = SECTION(study.name);
  if (re.test(text)) return text.replace(re, () => body);
  return `${text.endsWith('\n') ? text : `${text}\n`}\n${body}\n`;
}

/** The record a study's section names, or null. */
export function sectionRecordId(text: string, name: string): string | null {
  return SECTION(name).exec(text)?.[3] ?? null;
}

/** The sections of studies/README.md that are not what their study and record give (and studies without a section). */
export function checkStudies(readme = STUDIES_README, ledger = STUDIES_LEDGER, dir = STUDIES_DIR): string[] {
  const bad: string[] = [];
  const text = existsSync(readme) ? readFileSync(readme, 'utf8') : '';
  const names = new Set([...text.matchAll(ANY_SECTION)].map((m) => m[1]!));
  for (const f of studyFiles(dir)) {
    const study = readStudy(f);
    names.delete(study.name);
    const id = sectionRecordId(text, study.name);
    if (id === null) {
      bad.push(`${study.name}: no section in ${readme} (run heaplab study ${study.name})`);
      continue;
    }
    const section = SECTION(study.name).exec(text)![0];
    try {
      const record = findRecord(ledger, id);
      if (planHash(record.plan) !== planHash(study.plan)) {
        bad.push(`${study.name}: record ${id} ran another plan than ${basename(study.file)} now holds; re-run heaplab study ${study.name}`);
        continue;
      }
      const again = replaceStudySection(section, study, record);
      if (again !== section) bad.push(`${study.name}: the section differs from what record ${id} gives`);
    } catch (e) {
      // The study file asks for what the record does not hold (an allocator added since): re-run it.
      bad.push(`${study.name}: record ${id} cannot give the section (${(e as Error).message}); re-run heaplab study ${study.name}`);
    }
  }
  for (const n of names) bad.push(`${n}: a section with no study file`);
  return bad;
}

/** Runs a study: its plan and probes, the record appended to the studies' ledger, its section re-rendered. */
export async function runStudy(study: Study, options: { ledger?: string; readme?: string; workers?: number; log?: (line: string) => void } = {}): Promise<LabRecord> {
  const run = await runPlan(study.plan, { ledger: null, workers: options.workers ?? 1, log: options.log });
  const probes: ProbeRecord[] = [];
  for (const p of study.probes) probes.push(...(await runProbe(p)));
  const content = JSON.stringify({ plan: run.plan, study: study.name, sources: run.sources, probes });
  const record: LabRecord = { ...run, id: recordId(run.provenance.date, content), study: study.name, probes };
  appendRecord(options.ledger ?? STUDIES_LEDGER, record);
  renderStudySection(study, record, options.readme);
  return record;
}

/** Re-renders one study's section of the README from a record. */
export function renderStudySection(study: Study, record: LabRecord, readme = STUDIES_README): void {
  const text = existsSync(readme) ? readFileSync(readme, 'utf8') : '';
  writeFileAtomicSync(readme, replaceStudySection(text, study, record));
}
