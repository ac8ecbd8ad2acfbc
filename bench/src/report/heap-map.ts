/*
 * The heap map: the address space at one event as a grid of cells, for the heap-map plot.
 *
 * Layout: the mapped pages in address order, flowing row by row (CELLS_PER_ROW cells a row),
 * each cell `pagesPerCell` pages (the smallest power of two keeping the cells under MAX_CELLS).
 * Short unmapped gaps between mappings (≤ GAP_PAGES) stay as unmapped pages; a longer gap is cut
 * out and shows as one unmapped separator cell, so a 4 GiB space with a heap at the bottom and
 * mappings at the top reads as a few runs. PROT_NONE mappings longer than GAP_PAGES (reserved
 * zones, not guard pages) are cut out the same way and counted in `reservedPages`, so an
 * allocator that reserves gigabytes shows the pages it uses. Each row is labelled with the
 * address of its first cell and that page's owner, by name (`zoned-classes`, not the instance
 * label `zoned-classes#3`, which differs from run to run). Maps drawn side by side are drawn at one
 * scale: `pagesPerCell` may be given (a power of two, e.g. the largest of theirs), else it is the
 * smallest that keeps the cells under MAX_CELLS.
 *
 * A cell's state, from the pages and live blocks in it:
 *   no access        at least half of its mapped pages are PROT_NONE (guards, reserved zones)
 *   live blocks      live blocks' requested bytes cover at least half of its mapped bytes
 *   resident, free   at least half of its mapped pages are resident (written) — allocator
 *                    metadata, freed blocks not given back, slack
 *   not resident     mapped, mostly never written (or given back with MADV_DONTNEED)
 *   unmapped         a gap between mappings
 *
 * Page flags come from `space.pageFlags(page)`, which works for flat and paged spaces alike, and
 * page numbers are computed by division (addresses of a paged space exceed 2^32). A cell of more
 * than SAMPLE_PAGES pages (a space of terabytes drawn in a few thousand cells) is judged from
 * SAMPLE_PAGES pages spread evenly over it, its counts scaled to the cell: the state is a
 * majority, which a sample of that size decides; residentBytes is then an estimate for such cells.
 */

import { PAGE_MAPPED, PAGE_READ, PAGE_RESIDENT, PAGE_WRITE, type AddressSpace } from '@heaplab/core';
import type { SnapshotBlock } from './snapshot.js';

export const CELLS_PER_ROW = 64;
const MAX_CELLS = 64 * 48;
const GAP_PAGES = 16;
/** Pages read per cell at most; larger cells are sampled evenly. */
const SAMPLE_PAGES = 1024;

export const CELL_STATES = ['live blocks', 'resident, free', 'not resident', 'no access', 'unmapped'] as const;
export type CellState = (typeof CELL_STATES)[number];

export interface HeapMapCell {
  row: number;
  col: number;
  /** First address of the cell. */
  addr: string;
  state: CellState;
}

/** The heap map of a space at one event. */
export interface HeapMap {
  allocator: string;
  source: string;
  event: number;
  pageSize: number;
  pagesPerCell: number;
  rows: string[];
  cells: HeapMapCell[];
  /** Pages of each state (over mapped pages, and gap pages shown). */
  pages: Record<CellState, number>;
  /** PROT_NONE pages of mappings longer than GAP_PAGES (reserved zones), cut out of the map. */
  reservedPages: number;
  liveBytes: number;
  residentBytes: number;
}

function hex(n: number): string {
  return `0x${n.toString(16).padStart(8, '0')}`;
}

/** An owner's name without its instance number: `dlmalloc-style#12` → `dlmalloc-style`. */
export function withoutInstance(label: string): string {
  return label.replace(/#\d+$/, '');
}

/** Options of heapMap. */
export interface HeapMapOptions {
  /** Pages per cell, a power of two (to draw several maps at one scale). Default: the smallest under MAX_CELLS. */
  pagesPerCell?: number;
}

/** Builds the heap map of a space and its live blocks. */
export function heapMap(space: AddressSpace, blocks: readonly SnapshotBlock[], meta: { allocator: string; source: string; event: number }, options: HeapMapOptions = {}): HeapMap {
  const forced = options.pagesPerCell;
  if (forced !== undefined && !(Number.isInteger(forced) && forced > 0 && (forced & (forced - 1)) === 0)) {
    throw new RangeError(`heapMap: pagesPerCell must be a power of two, got ${forced}`);
  }
  const ps = space.pageSize;
  const maps = space.mappings();
  // Runs of shown pages: [first page, end page) per segment, gaps ≤ GAP_PAGES kept inside.
  const segments: [number, number][] = [];
  let reservedPages = 0;
  for (const m of maps) {
    const p0 = Math.floor(m.start / ps);
    const p1 = Math.ceil(m.end / ps);
    if (m.prot === 0 && p1 - p0 > GAP_PAGES) {
      reservedPages += p1 - p0; // a reservation, not a guard page: cut out like a gap
      continue;
    }
    const last = segments.at(-1);
    if (last && p0 - last[1] <= GAP_PAGES) last[1] = Math.max(last[1], p1);
    else segments.push([p0, p1]);
  }
  const shown = segments.reduce((s, [a, b]) => s + (b - a), 0);
  // One separator cell between segments; the smallest power-of-two pages per cell that fits.
  const separators = Math.max(0, segments.length - 1);
  let per = 1;
  if (forced !== undefined) per = forced;
  else while (segments.reduce((s, [a, b]) => s + Math.ceil((b - a) / per), 0) + Math.min(separators, MAX_CELLS / 2) > MAX_CELLS && per < shown) per *= 2;
  // Live bytes per page (only pages of live blocks are touched).
  const livePages = new Map<number, number>();
  for (const b of blocks) {
    let a = b.ptr;
    const end = b.ptr + b.size;
    while (a < end) {
      const p = Math.floor(a / ps);
      const next = Math.min(end, (p + 1) * ps);
      livePages.set(p, (livePages.get(p) ?? 0) + (next - a));
      a = next;
    }
  }
  const pages: Record<CellState, number> = { 'live blocks': 0, 'resident, free': 0, 'not resident': 0, 'no access': 0, unmapped: 0 };
  const cells: HeapMapCell[] = [];
  const rows: string[] = [];
  let residentBytes = 0;
  let at = 0;
  const push = (c0: number, state: CellState): void => {
    if (at % CELLS_PER_ROW === 0) {
      const m = state === 'unmapped' ? null : space.mappingAt(c0 * ps);
      rows.push(`${hex(c0 * ps)} ${m ? (m.heap ? '[heap]' : withoutInstance(m.ownerName)) : ''}`.trim());
    }
    cells.push({ row: rows.length - 1, col: at % CELLS_PER_ROW, addr: hex(c0 * ps), state });
    at++;
  };
  for (const [i, [s0, s1]] of segments.entries()) {
    if (i > 0) push(segments[i - 1]![1], 'unmapped'); // the gap (or reservation) cut out
    for (let c0 = s0; c0 < s1; c0 += per) {
      const c1 = Math.min(s1, c0 + per);
      let mapped = 0;
      let none = 0;
      let resident = 0;
      let live = 0;
      const step = Math.max(1, Math.ceil((c1 - c0) / SAMPLE_PAGES));
      for (let p = c0; p < c1; p += step) {
        const f = space.pageFlags(p);
        if (!(f & PAGE_MAPPED)) continue;
        mapped += step;
        if ((f & (PAGE_READ | PAGE_WRITE)) === 0) none += step;
        if (f & PAGE_RESIDENT) resident += step;
        live += (livePages.get(p) ?? 0) * step;
      }
      resident = Math.min(resident, c1 - c0);
      residentBytes += resident * ps;
      const state: CellState =
        mapped === 0 ? 'unmapped' : none * 2 >= mapped ? 'no access' : live * 2 >= mapped * ps ? 'live blocks' : resident * 2 >= mapped ? 'resident, free' : 'not resident';
      pages[state] += c1 - c0;
      push(c0, state);
    }
  }
  return { ...meta, pageSize: ps, pagesPerCell: per, rows, cells, pages, reservedPages, liveBytes: blocks.reduce((s, b) => s + b.size, 0), residentBytes };
}
