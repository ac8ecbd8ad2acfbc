/*
 * The leak report: at the end of a replay or run, the blocks still live, grouped by
 * allocation site — count and bytes per site, largest first. Sites come from whoever recorded
 * them: a tracing or checking wrapper (`leaksOf(allocator)`), or the replay engine, which knows
 * each live block's trace event and its site (`leakReport(blocks)`).
 *
 * Blocks with no site are grouped under `null` ("(no site)" when printed). Given the trace's
 * module map, the printed report shows recorded sites (return addresses) as `module+0xADDR`,
 * with function and line where addr2line is installed (trace/modules.ts).
 */

import type { Allocator } from '../api.js';
import { hex } from '../errors.js';
import { WrapperBase, isSiteRecorder } from './base.js';
import type { TraceModule } from '../trace/events.js';
import { symboliseSites, type SymboliseOptions } from '../trace/modules.js';

/** One live block, as the report takes it. `ptr` is optional (the first one is shown). */
export interface LiveBlockSite {
  size: number;
  site: string | null;
  ptr?: number;
}

/** One line of the report: the blocks of one site. */
export interface LeakRow {
  site: string | null;
  /** Live blocks from this site. */
  count: number;
  /** Their requested bytes. */
  bytes: number;
  /** The largest of them. */
  largest: number;
  /** One of them (the first seen), when pointers were given; 0 otherwise. */
  example: number;
}

/** Groups live blocks by site: rows by bytes, largest first (then by count, then named sites by name, "no site" last). */
export function leakReport(blocks: Iterable<LiveBlockSite>): LeakRow[] {
  const bySite = new Map<string | null, LeakRow>();
  for (const b of blocks) {
    let row = bySite.get(b.site);
    if (!row) {
      row = { site: b.site, count: 0, bytes: 0, largest: 0, example: b.ptr ?? 0 };
      bySite.set(b.site, row);
    }
    row.count++;
    row.bytes += b.size;
    if (b.size > row.largest) row.largest = b.size;
  }
  return [...bySite.values()].sort(
    (x, y) => y.bytes - x.bytes || y.count - x.count || Number(x.site === null) - Number(y.site === null) || String(x.site).localeCompare(String(y.site)),
  );
}

/** The report from the first wrapper in an allocator's stack that records sites (tracing or checking); throws when none does. */
export function leaksOf(allocator: Allocator): LeakRow[] {
  for (let a: Allocator = allocator; ; a = (a as WrapperBase).inner) {
    if (isSiteRecorder(a)) return leakReport(a.liveBlocks());
    if (!(a instanceof WrapperBase)) break;
  }
  throw new TypeError(`${allocator.identity.label} records no allocation sites: wrap it with tracing or checking to get a leak report`);
}

/** Options of `formatLeakReport`. */
export interface LeakReportOptions extends SymboliseOptions {
  /** The trace's module map (OpenTrace.modules, `traceModules(file)`): sites are printed as module+offset through it. */
  modules?: readonly TraceModule[];
}

/**
 * The report as text: one line per site, largest first, at most `limit` lines and a total.
 * With `options.modules`, sites that are return addresses are printed as `module+0xADDR` (and
 * `function (file:line)` where addr2line is installed and `options.addr2line` is not false).
 */
export function formatLeakReport(rows: readonly LeakRow[], limit = 20, options: LeakReportOptions = {}): string {
  if (rows.length === 0) return 'no leaks: every block was freed\n';
  const blocks = rows.reduce((s, r) => s + r.count, 0);
  const bytes = rows.reduce((s, r) => s + r.bytes, 0);
  const shown = rows.slice(0, limit);
  const names = options.modules && options.modules.length > 0 ? symboliseSites(shown.map((r) => r.site), options.modules, options) : null;
  let out = `${blocks} live block${blocks === 1 ? '' : 's'}, ${bytes} bytes, from ${rows.length} site${rows.length === 1 ? '' : 's'}:\n`;
  const w = Math.max(...rows.slice(0, limit).map((r) => String(r.bytes).length), 5);
  const c = Math.max(...rows.slice(0, limit).map((r) => String(r.count).length), 6);
  out += `  ${'bytes'.padStart(w)}  ${'blocks'.padStart(c)}  largest  site\n`;
  for (const r of rows.slice(0, limit)) {
    out += `  ${String(r.bytes).padStart(w)}  ${String(r.count).padStart(c)}  ${String(r.largest).padStart(7)}  ${r.site === null ? '(no site)' : (names?.get(r.site)?.text ?? r.site)}${r.example ? ` e.g. ${hex(r.example)}` : ''}\n`;
  }
  if (rows.length > limit) out += `  … ${rows.length - limit} more sites\n`;
  return out;
}
