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
import { comparisonGrids, markdownTable } from './tables.js';

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

/** The Markdown of the README's comparison section: the record's tables, never typed figures. */
export function readmeSummary(c: Comparison): string {
  const keep = (title: string) => /^(Time per event, ns|Time per event ÷|M4 )/.test(title);
  const grids = comparisonGrids(c).filter((g) => keep(g.title));
  const p = c.provenance;
  const when = `From record \`${c.record ?? 'unrecorded'}\` of \`npm run bench\` (${c.repeat} interleaved runs each, ${c.seconds.toFixed(0)} s; Node ${c.node}, ${c.cpus} × ${p?.cpu.model ?? 'CPU'}, commit ${p?.commit?.slice(0, 10) ?? 'unknown'}): \`heaplab lab show ${c.record ?? 'ID'} --ledger bench/docs/records.jsonl\` prints its provenance. The full report with plots is written to \`bench/results/\`.`;
  const map = readmeMapOf(c);
  const pics = ['![M4 of every allocator on every source](bench/docs/fragmentation.svg)'];
  if (map) pics.push(`![heap map of ${map.allocator} on ${map.source} at the peak of live bytes](bench/docs/heap-map.svg)`);
  return [when, '', ...grids.map((g) => markdownTable(g, 4) + '\n'), ...pics].join('\n');
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
