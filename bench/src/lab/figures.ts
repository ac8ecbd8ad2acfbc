/*
 * Figures in documents, rendered from ledger records, never typed. A block in a README:
 *
 *   <!-- heaplab:figures:NAME:start -->
 *   <!-- figures record=ID allocators=SPEC|SPEC… [sources=NAME|NAME…] [native=glibc|floor…] -->
 *   …the table rendered from the record…
 *   <!-- heaplab:figures:NAME:end -->
 *
 * The directive line stays; everything after it is rendered from the record it names (kept in
 * bench/docs/records.jsonl, the committed ledger): per source and allocator, the median time with
 * its min–max over the interleaved runs (* when noisy), the ratio to glibc over the same events
 * with its bootstrap interval, page faults, M4, M1, internal fragmentation and system calls.
 * `renderDocuments` rewrites every block (and, with `record`, points every block whose
 * allocators the record has at it); `checkDocuments` lists the blocks whose text differs from
 * what their record gives, which a test asserts is none.
 */

import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ROOT_README, readSection, replaceSection } from '../matrix/readme-sections.js';
import { toComparison } from '../report/compare.js';
import { readmeSummary } from '../report/readme.js';
import { writeFileAtomicSync } from '@heaplab/core';
import type { LabRecord, SourceRecord } from './api.js';
import { findRecord } from './ledger.js';
import { glibcRunsFor, nativeSummary, summarize } from './summary.js';
import { ratioInterval, spread } from './stats.js';

const BLOCK = /(<!-- heaplab:figures:([a-z0-9-]+):start -->\n)(<!-- figures ([^\n]*?) -->\n)?([\s\S]*?)(<!-- heaplab:figures:\2:end -->)/g;

/** What a block asks for. */
export interface FiguresDirective {
  record: string;
  allocators: string[];
  sources: string[] | null;
  native: string[];
}

/** Reads a directive line's fields (`record=… allocators=a|b sources=… native=…`). */
export function parseDirective(text: string, where: string): FiguresDirective {
  const f = new Map<string, string>();
  for (const part of text.trim().split(/\s+/)) {
    const eq = part.indexOf('=');
    if (eq <= 0) throw new Error(`${where}: expected key=value in the figures directive, got "${part}"`);
    f.set(part.slice(0, eq), part.slice(eq + 1));
  }
  const record = f.get('record');
  const allocators = f.get('allocators');
  if (!record || !allocators) throw new Error(`${where}: a figures directive needs record=ID and allocators=SPEC|SPEC…`);
  const list = (k: string): string[] | null => (f.has(k) ? f.get(k)!.split('|').filter(Boolean) : null);
  return { record, allocators: list('allocators')!, sources: list('sources'), native: list('native') ?? ['glibc'] };
}

function directiveText(d: FiguresDirective): string {
  return `<!-- figures record=${d.record} allocators=${d.allocators.join('|')}${d.sources ? ` sources=${d.sources.join('|')}` : ''} native=${d.native.join('|')} -->`;
}

const num = (n: number, digits: number): string => (Number.isFinite(n) ? (Math.abs(n) >= 1000 ? Math.round(n).toLocaleString('en-US') : n.toFixed(digits)) : '—');

function rows(record: LabRecord, s: SourceRecord, d: FiguresDirective, where: string): string[] {
  const sums = summarize(record, s);
  const glibcWhole = glibcRunsFor(s, null);
  const out: string[] = [];
  for (const spec of d.allocators) {
    const i = s.allocators.findIndex((a) => a.spec === spec);
    if (i < 0) throw new Error(`${where}: record ${record.id} has no allocator "${spec}" on ${s.name}`);
    const a = s.allocators[i]!;
    const sum = sums[i]!;
    const r = sum.result;
    if (!r || !sum.time) {
      out.push(`| ${s.name} | ${spec} | ${a.skipped ? 'left out' : 'failed'}: ${a.error ?? ''} | | | | | | |`);
      continue;
    }
    const t = sum.time;
    const ratio = sum.toGlibc;
    const window = a.window !== null ? ` (first ${a.window.toLocaleString('en-US')} events)` : '';
    out.push(
      `| ${s.name}${window} | ${spec} | ${num(t.median, 1)} (${num(t.min, 1)}–${num(t.max, 1)})${t.noisy ? '*' : ''} | ${ratio ? `${num(ratio.ratio, 2)} (${num(ratio.lo, 2)}–${num(ratio.hi, 2)})` : '—'} | ${num(r.minorFaultsMedian, 0)} | ${num(r.m4, 3)} | ${num(r.m1, 3)} | ${num(r.internal.ratio * 100, 1)} % | ${r.syscalls.brk}/${r.syscalls.mmap}/${r.syscalls.munmap}/${r.syscalls.mprotect}/${r.syscalls.madvise} |`,
    );
  }
  for (const n of nativeSummary(s).filter((x) => d.native.includes(x.name))) {
    const t = spread(n.runsNsPerEvent, record.plan.noisyAbove);
    const ratio = n.name === 'glibc' ? null : ratioInterval(n.runsNsPerEvent, glibcWhole);
    out.push(`| ${s.name} | ${n.name} (native) | ${num(t.median, 1)} (${num(t.min, 1)}–${num(t.max, 1)})${t.noisy ? '*' : ''} | ${n.name === 'glibc' ? '1.00' : ratio && Number.isFinite(ratio.lo) ? `${num(ratio.ratio, 2)} (${num(ratio.lo, 2)}–${num(ratio.hi, 2)})` : '—'} | ${num(n.minorFaults ?? NaN, 0)} | ${num(s.peakLive > 0 ? n.footprint / s.peakLive : NaN, 3)} | — | — | — |`);
  }
  return out;
}

/** The Markdown a directive gives from its record. */
export function renderFigures(record: LabRecord, d: FiguresDirective, where = 'figures'): string {
  const sources = d.sources ? d.sources.map((n) => record.sources.find((s) => s.name === n) ?? (() => { throw new Error(`${where}: record ${record.id} has no source "${n}"`); })()) : record.sources;
  const lines = [
    '| source | allocator | ns per event, median (min–max) | ÷ glibc, same events (95% interval) | page faults a run | M4 | M1 | internal frag. | brk/mmap/munmap/mprotect/madvise |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|',
    ...sources.flatMap((s) => rows(record, s, d, where)),
    '',
    `Record \`${record.id}\` (\`heaplab lab show ${record.id}\`): ${record.plan.runs} interleaved runs each, ${record.plan.touch} touch, each allocator in its own isolate; memory figures from a footprint run; * marks a noisy time (interquartile range over ${Math.round(record.plan.noisyAbove * 100)} % of the median).`,
  ];
  return lines.join('\n');
}

/** A document's text with every figures block rendered; `record` (optional) re-points blocks it can fill. */
export function renderText(text: string, file: string, ledger: string, record?: LabRecord): string {
  const cache = new Map<string, LabRecord>();
  const get = (id: string): LabRecord => {
    if (record && record.id === id) return record;
    if (!cache.has(id)) cache.set(id, findRecord(ledger, id));
    return cache.get(id)!;
  };
  return text.replace(BLOCK, (_all, start: string, name: string, _line: string | undefined, directive: string | undefined, _body: string, end: string) => {
    const where = `${file} (figures ${name})`;
    if (directive === undefined) throw new Error(`${where}: the block has no "<!-- figures record=… allocators=… -->" line`);
    const d = parseDirective(directive, where);
    if (record && d.allocators.every((a) => record.sources.some((s) => s.allocators.some((x) => x.spec === a)))) d.record = record.id;
    return `${start}${directiveText(d)}\n${renderFigures(get(d.record), d, where)}\n${end}`;
  });
}

/** Re-renders the blocks of documents in place; returns the files that changed. */
export function renderDocuments(files: readonly string[], ledger: string, record?: LabRecord): string[] {
  const changed: string[] = [];
  for (const f of files) {
    const before = readFileSync(f, 'utf8');
    const after = renderText(before, f, ledger, record);
    if (after !== before) {
      writeFileAtomicSync(f, after);
      changed.push(f);
    }
  }
  return changed;
}

/** The blocks whose text is not what their record gives: `file (figures NAME)`. */
export function checkDocuments(files: readonly string[], ledger: string): string[] {
  const bad: string[] = [];
  for (const f of files) {
    const text = readFileSync(f, 'utf8');
    for (const m of text.matchAll(BLOCK)) {
      const one = m[0];
      if (renderText(one, f, ledger) !== one) bad.push(`${f} (figures ${m[2]})`);
    }
  }
  return bad;
}

/** The repository, from bench/dist/lab or bench/src/lab. */
const REPO = fileURLToPath(new URL('../../../', import.meta.url));

/** The documents whose figures come from records: the root README, bench's, the packages', the native driver's. */
export function documentFiles(repo = REPO): string[] {
  const pk = join(repo, 'packages');
  const files = [join(repo, 'README.md'), join(repo, 'bench', 'README.md'), join(repo, 'bench', 'native', 'README.md')];
  if (existsSync(pk)) for (const d of readdirSync(pk).sort()) files.push(join(pk, d, 'README.md'));
  return files.filter((f) => existsSync(f));
}

/** The record the root README's comparison names, or null when it names none. */
export function comparisonRecordId(text: string): string | null {
  const section = readSection(text, 'comparison');
  return section === null ? null : (/From record `([^`]+)`/.exec(section)?.[1] ?? null);
}

/** The root README's comparison section as its record gives it, or null when it names no record. */
export function renderComparison(text: string, ledger: string): string | null {
  const id = comparisonRecordId(text);
  if (id === null) return null;
  return replaceSection(text, 'comparison', readmeSummary(toComparison(findRecord(ledger, id))));
}

/** Every place in the documents where the text is not what its record gives. */
export function checkAllDocuments(ledger: string, repo = REPO): string[] {
  const bad = checkDocuments(documentFiles(repo), ledger);
  const root = join(repo, 'README.md');
  if (root === ROOT_README || existsSync(root)) {
    const text = readFileSync(root, 'utf8');
    const again = renderComparison(text, ledger);
    if (again === null) bad.push(`${root} (comparison): names no record`);
    else if (again !== text) bad.push(`${root} (comparison)`);
  }
  return bad;
}
