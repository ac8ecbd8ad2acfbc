/*
 * The comparison's summary in the root README (`heaplab bench --readme`): the tables of time
 * as a ratio to glibc and to @thi.ng/malloc and of M4 per source, between the README's
 * heaplab:comparison markers, and two pictures in bench/docs/ that the section links — the
 * fragmentation bars and one heap map (dlmalloc-style's when it ran, else the first).
 */

import { mkdirSync } from 'node:fs';
import { writeFileAtomicSync } from '@heaplab/core';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ROOT_README, updateSection } from '../matrix/readme-sections.js';
import type { Comparison } from './compare.js';
import type { HeapMap } from './heap-map.js';
import { fragmentationSpec, heapMapSpec, renderSvg } from './plots.js';
import { columns, glibcNsFor, m4Of, markdownTable, nsOf, runsOf, type Grid } from './tables.js';
import { spread } from '../lab/stats.js';

/** bench/docs, from bench/dist/report or bench/src/report. */
export const DOCS_DIR = fileURLToPath(new URL('../../docs/', import.meta.url));

/** The heap map the README shows: dlmalloc-style's when it ran, else the first allocator's, on the first source. */
export function readmeMapOf(c: Comparison): { allocator: string; source: string } | null {
  const s = c.sources[0];
  if (!s) return null;
  const ran = s.allocators.filter((a) => a.result !== null);
  const a = ran.find((x) => x.name === 'dlmalloc-style') ?? ran[0];
  return a ? { allocator: a.name, source: s.name } : null;
}

function geomean(xs: readonly number[]): number {
  const ok = xs.filter((x) => Number.isFinite(x) && x > 0);
  return ok.length === 0 ? NaN : Math.exp(ok.reduce((a, x) => a + Math.log(x), 0) / ok.length);
}

const f = (n: number, d: number): string => (Number.isFinite(n) ? n.toFixed(d) : '—');

/**
 * The one table of the README: per allocator (heaplab's, then the native ones), time ÷ glibc and
 * M4 as geometric means over the sources with their range, and how many sources it replayed
 * whole, windowed, or noisily; the report holds every source's figures.
 */
export function readmeTable(c: Comparison): Grid {
  const { heaplab, native } = columns(c);
  const rows = [...heaplab, ...native].map((col) => {
    const ratios = c.sources.map((s) => nsOf(s, col) / glibcNsFor(s, col)).filter((x) => Number.isFinite(x));
    const m4 = c.sources.map((s) => m4Of(s, col)).filter((x) => Number.isFinite(x));
    const windowed = c.sources.filter((s) => s.allocators.find((a) => a.name === col)?.window != null).length;
    const noisy = c.sources.filter((s) => {
      const r = runsOf(s, col);
      return r.length > 1 && spread(r).noisy;
    }).length;
    return [
      native.includes(col) ? `${col} (native)` : col,
      f(geomean(ratios), 2),
      ratios.length ? `${f(Math.min(...ratios), 2)}–${f(Math.max(...ratios), 2)}` : '—',
      f(geomean(m4), 3),
      m4.length ? `${f(Math.min(...m4), 3)}–${f(Math.max(...m4), 3)}` : '—',
      `${ratios.length}${windowed ? ` (${windowed} windowed)` : ''}`,
      String(noisy),
    ];
  });
  return {
    title: 'Every allocator over every source: time ÷ glibc over the same events, and M4 = peak used / peak live',
    head: ['allocator', 'time ÷ glibc, geometric mean', 'range over sources', 'M4, geometric mean', 'M4 range', 'sources', 'noisy times'],
    rows,
    notes: [],
  };
}

/** The Markdown of the README's comparison section: the record's figures, never typed ones. */
export function readmeSummary(c: Comparison): string {
  const p = c.provenance;
  const when = `From record \`${c.record ?? 'unrecorded'}\` of \`npm run bench\` (${c.repeat} interleaved runs each, ${c.seconds.toFixed(0)} s; Node ${c.node}, ${c.cpus} × ${p?.cpu.model ?? 'CPU'}, commit ${p?.commit?.slice(0, 10) ?? 'unknown'}${p?.dirty ? ' with uncommitted changes' : ''}): \`heaplab lab show ${c.record ?? 'ID'}\` prints every source's figures with their spread and the record's provenance, and \`bench/results/report.html\` has the plots.`;
  const map = readmeMapOf(c);
  const pics = ['![M4 of every allocator on every source](bench/docs/fragmentation.svg)'];
  if (map) pics.push(`![heap map of ${map.allocator} on ${map.source} at the peak of live bytes](bench/docs/heap-map.svg)`);
  const windows = c.sources.flatMap((s) => s.allocators.filter((a) => a.window !== null).map((a) => `${a.name} ${s.name} ${a.window!.toLocaleString('en-US')}`));
  const notes = [`Sources: ${c.sources.map((s) => `${s.name} (${s.events.toLocaleString('en-US')} events)`).join(', ')}. Windows (leading events replayed, fixed by the plan): ${windows.join(', ') || 'none'}; a windowed ratio divides by glibc over the same window. A time is noisy when the interquartile range of its runs passes 10 % of their median.`];
  return [when, '', markdownTable(readmeTable(c), 4), '', ...notes, '', ...pics].join('\n');
}

/** Writes the pictures and the README section; returns the files written. */
export async function writeReadmeSummary(c: Comparison, maps: readonly HeapMap[], readme = ROOT_README, docs = DOCS_DIR): Promise<string[]> {
  mkdirSync(docs, { recursive: true });
  const files = [join(docs, 'fragmentation.svg')];
  writeFileAtomicSync(files[0]!, await renderSvg(fragmentationSpec(c)));
  const want = readmeMapOf(c);
  const map = maps.find((m) => m.allocator === want?.allocator) ?? null;
  if (map) {
    files.push(join(docs, 'heap-map.svg'));
    writeFileAtomicSync(files[1]!, await renderSvg(heapMapSpec(map)));
  }
  updateSection(readme, 'comparison', readmeSummary(c));
  files.push(readme);
  return files;
}
