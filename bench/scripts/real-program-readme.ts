/*
 * Writes bench/README.md's "real-program-replay" section from the JSON of one
 * `heaplab replay FILE -a A,B… --native --repeat N --json` run: per allocator its median time per
 * event, the ratio to native glibc measured in the same run, M4 (footprint touch; native: the
 * driver's peak RSS over the trace's peak live bytes) and failed requests. Not a test.
 *
 *   node bench/dist/cli/main.js replay cc1.trace -a bump-freestack,dlmalloc-style,zoned-classes,mmap-pages \
 *     --native --repeat 3 --json > replay.json
 *   npx tsx bench/scripts/real-program-readme.ts replay.json "gcc -O2 compiling big.c (cc1)"
 */

import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { BENCH_README, updateSection } from '../src/matrix/readme-sections.js';
import { formatBytes } from '../src/metrics/table.js';
import { markdownTable, type Grid } from '../src/report/tables.js';

interface HeaplabRun { allocatorName: string; nsPerEvent: number; m4: number; failures: number; replayed: number; live: { peak: number }; used: { peak: number } }
interface NativeRun { name: string; nsPerEvent: number; footprint: number; failures: number }
interface ReplayJson { source: string; program: string; events: number; repeat: number; heaplab: HeaplabRun[]; native: NativeRun[]; nativeSkipped: { name: string; reason: string }[] }

const [file, label] = process.argv.slice(2);
if (!file || !label) {
  console.error('usage: real-program-readme.ts REPLAY.json "LABEL OF THE TRACE"');
  process.exit(2);
}
let r: ReplayJson;
try {
  r = JSON.parse(readFileSync(file, 'utf8')) as ReplayJson;
} catch (e) {
  console.error(`real-program-readme: ${file}: expected the JSON of heaplab replay --json (${(e as Error).message})`);
  process.exit(1);
}
if (!Array.isArray(r.heaplab) || !Array.isArray(r.native)) {
  console.error(`real-program-readme: ${file}: expected "heaplab" and "native" arrays (run heaplab replay with --native --json)`);
  process.exit(1);
}
const glibc = r.native.find((n) => n.name === 'glibc');
if (!glibc) {
  console.error(`real-program-readme: ${file}: no native glibc run to compare with`);
  process.exit(1);
}
const peakLive = r.heaplab[0]?.live.peak ?? NaN;
const ratio = (ns: number): string => (ns / glibc.nsPerEvent).toFixed(2);
const grid: Grid = {
  title: `${label}: ${r.events.toLocaleString('en-US')} events, peak live ${formatBytes(peakLive)}`,
  head: ['allocator', 'ns per event', '× glibc', 'M4 = peak used / peak live', 'peak used', 'failed requests'],
  rows: [
    ...r.heaplab.map((h) => [h.allocatorName, h.nsPerEvent.toFixed(1), ratio(h.nsPerEvent), h.m4.toFixed(3), formatBytes(h.used.peak), String(h.failures)]),
    ...r.native.map((n) => [`${n.name} (native)`, n.nsPerEvent.toFixed(1), ratio(n.nsPerEvent), (n.footprint / peakLive).toFixed(3), formatBytes(n.footprint), String(n.failures)]),
  ],
  notes: [],
};
const lines = [
  `Replayed through every heaplab allocator and the native ones in one run (median of ${r.repeat} runs`,
  `each; Node ${process.version}, ${cpus().length} CPUs): read the ratios, measured side by side, rather than`,
  'absolute times, which move with the machine and its load.',
  '',
  markdownTable(grid, 4),
];
if (r.nativeSkipped.length) lines.push('', `Not run here: ${r.nativeSkipped.map((s) => `${s.name} (${s.reason})`).join('; ')}.`);
updateSection(BENCH_README, 'real-program-replay', lines.join('\n'));
console.log(lines.join('\n'));
