/*
 * Sweeps: a grid of one allocator's options (grid.ts) over sources, as a plan the protocol runs
 * (run.ts) into one ledger record, and that record drawn as Pareto fronts (pareto.ts).
 *
 * The plan: every grid point as an allocator spec, every source with its event cut, `runs` timed
 * runs (default 3) after one warm-up, speed touch, natives off unless asked. Running it, the
 * footprint runs go `workers` at a time (default: every core), the timed runs one at a time and
 * interleaved as in any plan.
 *
 * The report of a record (writeSweepReport), into one folder:
 *   sweep.md           the front of each source as a table, then every point;
 *   sweep.html         the same with the pictures inline;
 *   pareto-SOURCE.svg  time per event against M4, the front marked, points labelled;
 *   m4-AXIS-SOURCE.svg M4 against one option, the others held fixed (one per axis and source).
 */

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomicSync } from '@heaplab/core';
import { renderSvg } from '../report/plots.js';
import type { LabRecord, Plan, PlanSource, ResolvedPlan } from './api.js';
import { gridPoints, type GridAxis } from './grid.js';
import { axesOf, axisSpec, frontTable, paretoSpec, pointsTable } from './pareto.js';
import { resolvePlan } from './plan.js';
import { parseSpec } from './spec.js';

/** What a sweep is made of. */
export interface SweepInput {
  /** The base allocator spec; its own options are kept at every point. */
  allocator: string;
  axes: GridAxis[];
  sources: PlanSource[];
  runs?: number;
  native?: boolean;
  spaceMib?: number;
}

/** The plan of a sweep. */
export function sweepPlan(input: SweepInput): ResolvedPlan {
  const base = parseSpec(input.allocator);
  const points = gridPoints(base, input.axes);
  const plan: Plan = {
    name: `sweep ${base.spec} ${input.axes.map((a) => a.key).join('×')}`,
    allocators: points.map((p) => p.spec.spec),
    sources: input.sources,
    runs: input.runs ?? 3,
    warmup: 1,
    touch: 'speed',
    native: input.native ?? false,
    ...(input.spaceMib !== undefined ? { spaceMib: input.spaceMib } : {}),
  };
  return resolvePlan(plan);
}

const safe = (s: string): string => s.replace(/[^A-Za-z0-9._-]+/g, '_');
const escapeHtml = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function markdownTableHtml(md: string): string {
  const rows = md.split('\n').filter((l) => l.startsWith('|') && !/^\|[-:| ]+\|$/.test(l));
  return `<table>\n${rows
    .map((l, i) => {
      const cells = l.slice(1, -1).split('|').map((c) => c.trim());
      const tag = i === 0 ? 'th' : 'td';
      return `<tr>${cells.map((c) => `<${tag}>${escapeHtml(c)}</${tag}>`).join('')}</tr>`;
    })
    .join('\n')}\n</table>`;
}

/** Writes the sweep's tables and pictures into `dir`; returns the files written. */
export async function writeSweepReport(record: LabRecord, dir: string): Promise<string[]> {
  mkdirSync(dir, { recursive: true });
  const files: string[] = [];
  const write = (name: string, text: string): void => {
    const f = join(dir, name);
    writeFileAtomicSync(f, text);
    files.push(f);
  };
  const front = frontTable(record);
  const all = pointsTable(record);
  const head = `Record \`${record.id}\` (\`heaplab lab show ${record.id}\`): plan "${record.plan.name}", ${record.plan.runs} timed run${record.plan.runs === 1 ? "" : "s"} of each setting, interleaved; M4 from a footprint run.`;
  write('sweep.md', `# ${record.plan.name}\n\n${head}\n\n## The Pareto front of each source\n\n${front}\n\n## Every setting\n\n${all}\n`);
  const figures: string[] = [];
  for (const s of record.sources) {
    const svg = await renderSvg(paretoSpec(record, s));
    write(`pareto-${safe(s.name)}.svg`, svg);
    figures.push(`<figure class="plot" data-plot="pareto">${svg}<figcaption>${escapeHtml(`${s.name}: median ns per event against M4 for every setting; the filled points are the Pareto front.`)}</figcaption></figure>`);
    for (const axis of axesOf(s.allocators.map((a) => a.spec))) {
      const a = await renderSvg(axisSpec(record, s, axis));
      write(`m4-${safe(axis)}-${safe(s.name)}.svg`, a);
      figures.push(`<figure class="plot" data-plot="axis">${a}<figcaption>${escapeHtml(`${s.name}: M4 against ${axis}, one line per setting of the other options.`)}</figcaption></figure>`);
    }
  }
  const style = 'body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border:1px solid #ccc;padding:.2em .5em;font-variant-numeric:tabular-nums}figure{margin:1em 0 2em}figcaption{font-size:.9em;color:#555}';
  write(
    'sweep.html',
    `<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>${escapeHtml(record.plan.name)}</title>\n<style>${style}</style>\n</head>\n<body>\n<h1>${escapeHtml(record.plan.name)}</h1>\n<p>${escapeHtml(head.replace(/`/g, ''))}</p>\n<h2>The Pareto front of each source</h2>\n${markdownTableHtml(front)}\n<h2>Pictures</h2>\n${figures.join('\n')}\n<h2>Every setting</h2>\n${markdownTableHtml(all)}\n</body>\n</html>\n`,
  );
  return files;
}
