/*
 * The comparison's summary in the root README (`heaplab bench --readme`): the tables of time
 * as a ratio to glibc and to @thi.ng/malloc and of M4 per source, between the README's
 * heaplab:comparison markers, and two pictures in bench/docs/ that the section links — the
 * fragmentation bars and one heap map (dlmalloc-style's when it ran, else the first).
 */

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ROOT_README, updateSection } from '../matrix/readme-sections.js';
import type { Comparison } from './compare.js';
import type { HeapMap } from './heap-map.js';
import { fragmentationSpec, heapMapSpec, renderSvg } from './plots.js';
import { comparisonGrids, markdownTable } from './tables.js';

/** bench/docs, from bench/dist/report or bench/src/report. */
export const DOCS_DIR = fileURLToPath(new URL('../../docs/', import.meta.url));

/** The Markdown of the README's comparison section. */
export function readmeSummary(c: Comparison, map: HeapMap | null): string {
  const keep = (title: string) => /^(Time per event, ns|Time per event ÷|M4 )/.test(title);
  const grids = comparisonGrids(c).filter((g) => keep(g.title));
  const when = `Measured by \`npm run bench\` on ${c.date.slice(0, 10)} (Node ${c.node}, ${c.cpus} CPUs, ${c.seconds.toFixed(0)} s); the full report with plots is written to \`bench/results/\`.`;
  const pics = ['![M4 of every allocator on every source](bench/docs/fragmentation.svg)'];
  if (map) pics.push(`![heap map of ${map.allocator} on ${map.source} at event ${map.event}](bench/docs/heap-map.svg)`);
  return [when, '', ...grids.map((g) => markdownTable(g, 4) + '\n'), ...pics].join('\n');
}

/** Writes the pictures and the README section; returns the files written. */
export async function writeReadmeSummary(c: Comparison, maps: readonly HeapMap[], readme = ROOT_README, docs = DOCS_DIR): Promise<string[]> {
  mkdirSync(docs, { recursive: true });
  const files = [join(docs, 'fragmentation.svg')];
  writeFileSync(files[0]!, await renderSvg(fragmentationSpec(c)));
  const map = maps.find((m) => m.allocator === 'dlmalloc-style') ?? maps[0] ?? null;
  if (map) {
    files.push(join(docs, 'heap-map.svg'));
    writeFileSync(files[1]!, await renderSvg(heapMapSpec(map)));
  }
  updateSection(readme, 'comparison', readmeSummary(c, map));
  files.push(readme);
  return files;
}
