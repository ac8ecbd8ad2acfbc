/*
 * The written report of a comparison: a Markdown file (tables, notes, how it was measured) and
 * a self-contained HTML page (the same tables and every plot as inline SVG: no script, no
 * external file, so it opens anywhere and pastes into a paper or a lecture). Heap maps come
 * from snapshots taken by the caller (run.ts: every allocator at one event and one scale).
 * A source is named by its name, or a file by its path inside the repository (or its base name):
 * never by an absolute path of the machine that ran it.
 */

import { mkdirSync } from 'node:fs';
import { writeFileAtomicSync } from '@heaplab/core';
import { basename, isAbsolute, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Comparison, SourceResult } from './compare.js';
import type { HeapMap } from './heap-map.js';
import { comparisonGrids, comparisonNotes, markdownTable, type Grid } from './tables.js';
import { footprintSpec, fragmentationSpec, heapMapSpec, renderSvg, sizeHistogramSpec, timeSpec } from './plots.js';

/** The repository's root, from bench/dist/report or bench/src/report. */
const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** Options of the written report. */
export interface ReportOptions {
  /** Also write results.json. Default true. */
  json?: boolean;
  /** Size histograms with a log count axis (plots.ts SizeHistogramOptions). Default false. */
  logCounts?: boolean;
}

/**
 * How a caption names a source: a path inside the repository relative to its root, any other
 * absolute path by its base name, anything else as it is.
 */
export function sourceCaption(s: Pick<SourceResult, 'label' | 'name'>): string {
  const label = s.label || s.name;
  if (!isAbsolute(label)) return label;
  const r = relative(REPO_ROOT, label);
  return r !== '' && !r.startsWith('..') && !isAbsolute(r) ? r.split(sep).join('/') : basename(label);
}

/** The files a report is written as. */
export const REPORT_FILES = Object.freeze({ json: 'results.json', markdown: 'report.md', html: 'report.html' });

function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function intro(c: Comparison): string[] {
  const sources = c.sources.map((s) => `${s.name} (${s.events.toLocaleString('en-US')} events)`).join(', ');
  return [
    ...(c.record ? [`Record ${c.record} of the results ledger (\`heaplab lab show ${c.record}\` prints the plan and every run's raw figures).`] : []),
    c.provenance
      ? `Measured ${c.date} with Node ${c.node} (V8 ${c.provenance.v8}) on ${c.cpus} × ${c.provenance.cpu.model}, ${c.provenance.libc ?? 'unknown C library'}, commit ${c.provenance.commit?.slice(0, 10) ?? 'unknown'}${c.provenance.dirty ? ' with uncommitted changes' : ''}, load ${c.provenance.loadBefore.join(' ')} before and ${c.provenance.loadAfter.join(' ')} after, in ${c.seconds.toFixed(0)} s.`
      : `Measured ${c.date} with Node ${c.node} on ${c.cpus} CPU(s) in ${c.seconds.toFixed(0)} s.`,
    `Sources: ${sources}.`,
    `Time per event is the median of ${c.repeat} interleaved speed-touch runs (first and last byte of each block written), each allocator in its own isolate, shown with its min–max; memory figures come from one footprint-touch run (a byte in every page of each block too). Each run has a fresh 4 GiB simulated address space; "used" is its resident bytes, allocator metadata included. Native allocators replay the same events as a v1 trace with the C driver (bench/native).`,
  ];
}

/** The Markdown report. */
export function markdownReport(c: Comparison, maps: readonly HeapMap[], htmlName = REPORT_FILES.html): string {
  const out = ['# heaplab comparison', '', ...intro(c), '', `Plots (footprint over time, size histograms, time and fragmentation bars, heap maps): [${htmlName}](${htmlName}).`, ''];
  for (const g of comparisonGrids(c)) out.push(markdownTable(g), '');
  const notes = comparisonNotes(c);
  if (notes.length > 0) out.push('### Notes', '', ...notes.map((n) => `- ${n}`), '');
  if (maps.length > 0) {
    out.push('### Heap maps', '', mapsIntro(c, maps), '', '| allocator | source | event | live | resident | pages: live / resident free / not resident / no access |', '| --- | --- | ---: | ---: | ---: | --- |');
    for (const m of maps) {
      const p = m.pages;
      out.push(`| ${m.allocator} | ${m.source} | ${m.event} | ${(m.liveBytes / 2 ** 20).toFixed(2)} MiB | ${(m.residentBytes / 2 ** 20).toFixed(2)} MiB | ${p['live blocks']} / ${p['resident, free']} / ${p['not resident']} / ${p['no access']} |`);
    }
    out.push('');
  }
  return out.join('\n');
}

/** Allocators that ran on the maps' source but are not drawn: their window ended before the event. */
function leftOut(c: Comparison, maps: readonly HeapMap[]): string[] {
  const s = c.sources.find((x) => x.name === maps[0]!.source);
  if (!s) return [];
  return s.allocators
    .filter((a) => a.result && !maps.some((m) => m.allocator === a.name))
    .map((a) => `${a.name} (replayed only the first ${(a.window ?? 0).toLocaleString('en-US')} events)`);
}

/** The sentence above the heap maps: the one event and scale they share, and who is left out. */
function mapsIntro(c: Comparison, maps: readonly HeapMap[]): string {
  const m = maps[0]!;
  const events = [...new Set(maps.map((x) => x.event))];
  const out = [`Every allocator on ${m.source} after ${events.map((e) => e.toLocaleString('en-US')).join(', ')} events, each cell ${m.pagesPerCell} page(s) of ${m.pageSize / 1024} KiB.`];
  const gone = leftOut(c, maps);
  if (gone.length > 0) out.push(`Not drawn, as their replay ended before that event: ${gone.join(', ')}.`);
  return out.join(' ');
}

function htmlTable(g: Grid): string {
  const head = `<tr>${g.head.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr>`;
  const rows = g.rows.map((r) => `<tr>${r.map((v, i) => (i === 0 ? `<th>${escapeHtml(v)}</th>` : `<td>${escapeHtml(v)}</td>`)).join('')}</tr>`).join('\n');
  const notes = g.notes.map((n) => `<p class="note">${escapeHtml(n)}</p>`).join('');
  return `<h3>${escapeHtml(g.title)}</h3>\n<table>\n${head}\n${rows}\n</table>${notes}`;
}

function figure(kind: string, svg: string, caption: string): string {
  return `<figure class="plot" data-plot="${escapeHtml(kind)}">${svg}<figcaption>${escapeHtml(caption)}</figcaption></figure>`;
}

/** The HTML page: tables and every plot inline. */
export async function htmlReport(c: Comparison, maps: readonly HeapMap[], options: ReportOptions = {}): Promise<string> {
  const parts: string[] = [];
  parts.push(`<h1>heaplab comparison</h1>`, ...intro(c).map((p) => `<p>${escapeHtml(p)}</p>`));
  parts.push('<h2>Time and fragmentation</h2>');
  parts.push(figure('time', await renderSvg(timeSpec(c)), 'Median ns per event of each allocator on each source; native allocators replay the same events.'));
  parts.push(figure('fragmentation', await renderSvg(fragmentationSpec(c)), 'M4: peak used (resident) bytes over peak live (requested) bytes. 1 is perfect.'));
  parts.push('<h2>Footprint over time</h2>');
  for (const s of c.sources) parts.push(figure('footprint', await renderSvg(footprintSpec(s)), `${sourceCaption(s)}: resident bytes after each sampled event; dashed: live requested bytes.`));
  parts.push('<h2>Request sizes</h2>');
  for (const s of c.sources) {
    const log = options.logCounts === true ? ' (counts on a log axis)' : '';
    parts.push(figure('sizes', await renderSvg(sizeHistogramSpec(s, { logCounts: options.logCounts })), `${sourceCaption(s)}: ${s.requests.toLocaleString('en-US')} requests by power-of-two bucket${log}.`));
  }
  if (maps.length > 0) {
    parts.push('<h2>Heap maps</h2>', '<p>The simulated address space at one event: mapped pages in address order, long unmapped gaps cut out (each band starts at the address on its left). Red: live blocks; pink: written but mostly free (metadata, freed memory not given back); grey: mapped, never written; dark blue: PROT_NONE (guards, reserved zones).</p>', `<p>${escapeHtml(mapsIntro(c, maps))}</p>`);
    for (const m of maps) parts.push(figure('heap-map', await renderSvg(heapMapSpec(m)), `${m.allocator} on ${m.source} at event ${m.event}: ${(m.liveBytes / 2 ** 20).toFixed(2)} MiB live, ${(m.residentBytes / 2 ** 20).toFixed(2)} MiB resident${m.reservedPages > 0 ? `; ${((m.reservedPages * m.pageSize) / 2 ** 20).toFixed(0)} MiB of reserved PROT_NONE mappings cut out` : ''}.`));
  }
  parts.push('<h2>Tables</h2>');
  for (const g of comparisonGrids(c)) parts.push(htmlTable(g));
  const notes = comparisonNotes(c);
  if (notes.length > 0) parts.push('<h3>Notes</h3><ul>', ...notes.map((n) => `<li>${escapeHtml(n)}</li>`), '</ul>');
  const style = 'body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border:1px solid #ccc;padding:.2em .5em;font-variant-numeric:tabular-nums}td{text-align:right}figure{margin:1em 0 2em}figcaption{font-size:.9em;color:#555}.note{font-size:.9em;color:#555}';
  return `<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>heaplab comparison</title>\n<style>${style}</style>\n</head>\n<body>\n${parts.join('\n')}\n</body>\n</html>\n`;
}

/** Writes results.json, report.md and report.html into `dir`; returns their paths. */
export async function writeReport(dir: string, c: Comparison, maps: readonly HeapMap[], options: ReportOptions = {}): Promise<string[]> {
  mkdirSync(dir, { recursive: true });
  const files: string[] = [];
  if (options.json !== false) {
    writeFileAtomicSync(join(dir, REPORT_FILES.json), JSON.stringify(c, null, 1) + '\n');
    files.push(join(dir, REPORT_FILES.json));
  }
  writeFileAtomicSync(join(dir, REPORT_FILES.markdown), markdownReport(c, maps));
  files.push(join(dir, REPORT_FILES.markdown));
  writeFileAtomicSync(join(dir, REPORT_FILES.html), await htmlReport(c, maps, options));
  files.push(join(dir, REPORT_FILES.html));
  return files;
}
