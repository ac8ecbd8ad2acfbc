/*
 * What the explorer's heap map draws, for one run at the cursor and one address range split into
 * equal cells: per cell a state from the pages it covers, or — when a cell is smaller than a page
 * — from what the allocator says lies there (`inspect`). No DOM: the page paints the codes.
 *
 * Page states (a cell covering several pages takes the state of most of its pages, ties to the
 * busier state): unmapped; PROT_NONE (guards, reserved zones); mapped and not resident; resident.
 * Byte states (a cell shows what lies at its middle byte) are the InspectionKinds, then `unmapped` / `none` / `mapped` for bytes the allocator
 * does not answer for. Owners: the owner index of the cell's first mapped page (0: none).
 */

import type { AddressSpace, Allocator, InspectionKind } from '@heaplab/core';

/** PAGE_* flags of core's layout.ts. */
const PAGE_MAPPED = 1;
const PAGE_READ = 2;
const PAGE_RESIDENT = 8;

export const PAGE_STATES = ['unmapped', 'no access', 'not resident', 'resident'] as const;
export const BYTE_KINDS: readonly (InspectionKind | 'unmapped' | 'no access' | 'not resident' | 'resident')[] = ['unmapped', 'no access', 'not resident', 'resident', 'live', 'free', 'quarantine', 'header', 'canary', 'guard', 'metadata', 'slack', 'unused', 'reserved'];

/** Cell codes of a range: page mode (`states` index PAGE_STATES) or byte mode (index BYTE_KINDS). */
export interface HeapCells {
  mode: 'pages' | 'bytes';
  lo: number;
  bytesPerCell: number;
  states: Uint8Array;
  owners: Uint16Array;
}

function pageState(f: number): number {
  if (!(f & PAGE_MAPPED)) return 0;
  if (!(f & PAGE_READ)) return 1;
  return f & PAGE_RESIDENT ? 3 : 2;
}

/** The cells of [lo, lo + cells · bytesPerCell) in `space`, with `top` asked in byte mode. */
export function heapCells(space: AddressSpace, top: Allocator, lo: number, bytesPerCell: number, cells: number): HeapCells {
  const ps = space.pageSize;
  const flags = space.flags;
  const states = new Uint8Array(cells);
  const owners = new Uint16Array(cells);
  if (bytesPerCell >= ps) {
    const count = [0, 0, 0, 0];
    for (let c = 0; c < cells; c++) {
      const a = lo + c * bytesPerCell;
      if (a >= space.size) break;
      const p0 = Math.floor(a / ps);
      const p1 = Math.min(flags.length, Math.floor((a + bytesPerCell) / ps));
      count.fill(0);
      let owner = 0;
      // Large cells are sampled at up to 64 pages each: the state is a majority, not an exact count.
      const step = Math.max(1, Math.floor((p1 - p0) / 64));
      for (let p = p0; p < p1; p += step) {
        const f = flags[p]!;
        count[pageState(f)]!++;
        if (owner === 0 && f & PAGE_MAPPED) owner = space.ownerIndexAt(p * ps);
      }
      let best = 0;
      for (let s = 1; s < 4; s++) if (count[s]! >= count[best]!) best = s;
      states[c] = best;
      owners[c] = owner;
    }
    return { mode: 'pages', lo, bytesPerCell, states, owners };
  }
  // Each cell shows what lies at its middle byte: a 16-byte header does not colour a 2 KiB cell.
  const half = Math.floor(bytesPerCell / 2);
  let c = 0;
  while (c < cells) {
    const a = lo + c * bytesPerCell + half;
    if (a >= space.size) break;
    const r = a > 0 ? top.inspect?.(a, true) : undefined;
    let kind: number;
    let end: number;
    if (r !== undefined) {
      kind = BYTE_KINDS.indexOf(r.kind);
      end = r.start + Math.max(1, r.size);
    } else {
      kind = pageState(flags[Math.floor(a / ps)]!);
      end = (Math.floor(a / ps) + 1) * ps;
    }
    const owner = space.ownerIndexAt(a);
    // Every following cell whose middle byte is still before `end` has the same answer.
    const last = Math.min(cells, Math.max(c + 1, Math.ceil((end - lo - half) / bytesPerCell)));
    for (; c < last; c++) {
      states[c] = kind;
      owners[c] = owner;
    }
  }
  return { mode: 'bytes', lo, bytesPerCell, states, owners };
}
