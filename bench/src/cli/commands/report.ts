/*
 * `heaplab report [--from FILE] [--out DIR] [--at EVENT] [--map-source NAME] [--no-maps]`:
 * writes the Markdown report and the self-contained HTML page (inline SVG plots) of a saved
 * comparison — by default the last `heaplab bench` (bench/results/results.json). The heap maps
 * are drawn again by replaying the chosen source up to the chosen event (default: each
 * allocator's peak of used memory), so `--at` moves them anywhere in the run.
 */

import type { Command } from 'commander';
import { dirname, join, resolve } from 'node:path';
import { UsageError } from '../../allocators.js';
import { writeReport, REPORT_FILES } from '../../report/document.js';
import { RESULTS_DIR, comparisonHeapMaps, readComparison } from '../../report/run.js';
import { parseCount } from '../options.js';

interface ReportFlags {
  from?: string;
  out?: string;
  at?: string;
  mapSource?: string;
  maps: boolean;
  spaceMib: string;
  logCounts?: boolean;
}

export function registerReport(program: Command): void {
  program
    .command('report')
    .description('write the Markdown report and the HTML page with SVG plots of a saved comparison (default: the last heaplab bench)')
    .option('--from <file>', `a comparison saved by heaplab bench (default: bench/results/${REPORT_FILES.json})`)
    .option('-o, --out <dir>', 'where to write report.md and report.html (default: beside --from)')
    .option('--at <event>', 'draw the heap maps at this event (default: just after the source\'s peak of live bytes, the same event for every allocator)')
    .option('--log-counts', 'draw the size histograms\' counts on a log axis, so the large-size tail shows')
    .option('--map-source <name>', 'draw the heap maps on this source (default: the first)')
    .option('--no-maps', 'draw no heap maps')
    .option('--space-mib <n>', 'size of the address space of the heap-map replays in MiB', '4096')
    .action(async (opts: ReportFlags) => {
      const from = resolve(opts.from ?? join(RESULTS_DIR, REPORT_FILES.json));
      const c = readComparison(from);
      const at = opts.at !== undefined ? parseCount(opts.at, '--at') : undefined;
      const spaceMib = parseCount(opts.spaceMib, '--space-mib');
      if (spaceMib < 1 || spaceMib > 4096) throw new UsageError(`--space-mib: expected 1 to 4096, got ${spaceMib}`);
      const maps = opts.maps ? await comparisonHeapMaps(c, { source: opts.mapSource, at, spaceMib }) : [];
      const files = await writeReport(resolve(opts.out ?? dirname(from)), c, maps, { json: false, logCounts: opts.logCounts === true });
      console.log(`report: ${files.join(', ')}`);
    });
}
