/*
 * The heap maps, one per run, COLS × ROWS cells at one scale (heap-view.ts says what a cell
 * shows), each on its own window; zooming and fitting set the scale and windows; pointing at a
 * cell names its owner; selecting it opens the ownership panel, where every run shows the same
 * trace block (found through its lifetime) with whoOwns' answer and the allocator's inspection.
 */

import { hex, type Inspection, type Ownership } from '@heaplab/core';
import { BYTE_KINDS, heapCells } from '../../src/explore/heap-view.js';
import { $, CELLS, COLS, KIND_COLOURS, OWNER_COLOURS, ROWS, RUN_COLOURS, canvasSize, escapeHtml, fmtBytes, fmtInt, ui } from './state.js';
import { render } from './main.js';

export function buildMaps(): void {
  const s = ui.session!;
  $('maps').innerHTML = s.runs.map((r, i) => `<div class="map"><h3 style="color:${RUN_COLOURS[i]}">${i + 1}: ${escapeHtml(r.spec.label)} <span id="map-range${i}" class="mono muted"></span></h3><canvas id="map${i}" height="${ROWS * 7}" data-run="${i}"></canvas></div>`).join('');
  for (let i = 0; i < s.runs.length; i++) {
    const c = $(`map${i}`) as HTMLCanvasElement;
    c.addEventListener('mousemove', (ev) => hover(i, addressAt(i, c, ev)));
    c.addEventListener('click', (ev) => select(i, addressAt(i, c, ev)));
    c.addEventListener('wheel', (ev) => {
      ev.preventDefault();
      zoom(ev.deltaY < 0 ? 4 : 0.25, i, addressAt(i, c, ev));
    });
  }
  $('legend').innerHTML = BYTE_KINDS.map((k) => `<span><i style="background:${KIND_COLOURS[k]}"></i>${k}</span>`).join('') + '<span class="muted">· page cells: state of most pages; bottom edge: owner · byte cells (under a page a cell): what inspect says</span>';
}

export function addressAt(i: number, c: HTMLCanvasElement, ev: MouseEvent): number {
  const rect = c.getBoundingClientRect();
  const col = Math.min(COLS - 1, Math.max(0, Math.floor(((ev.clientX - rect.left) / rect.width) * COLS)));
  const row = Math.min(ROWS - 1, Math.max(0, Math.floor(((ev.clientY - rect.top) / rect.height) * ROWS)));
  return ui.range.lo[i]! + (row * COLS + col) * ui.range.bytesPerCell;
}

export const span = (): number => ui.range.bytesPerCell * CELLS;

export function spaceSize(): number {
  return ui.session!.runs[0]!.space.size;
}

/** A span in bytes: a power of two between CELLS bytes and the space. */
export function clampSpan(bytes: number): number {
  return Math.min(spaceSize(), Math.max(CELLS, 2 ** Math.round(Math.log2(Math.max(1, bytes)))));
}

/** Run i's first address for a view of the current span centred on `centre`, aligned to a cell. */
export function loAround(centre: number): number {
  const bpc = ui.range.bytesPerCell;
  return Math.max(0, Math.min(spaceSize() - span(), Math.floor((centre - span() / 2) / bpc) * bpc));
}

/** Sets the scale to `bytes` a view; run `i` centred on `at`, the others on their current centres. */
export function setScale(bytes: number, i: number, at: number): void {
  const centres = ui.session!.runs.map((_, j) => (ui.range.lo[j] ?? 0) + span() / 2);
  centres[i] = at;
  ui.range.bytesPerCell = clampSpan(bytes) / CELLS;
  ui.range.lo = centres.map(loAround);
  ui.lifetimesKey = '';
}

export function zoom(factor: number, i: number, at: number): void {
  setScale(span() / factor, i, at);
  render();
}

/**
 * Each run's view on its densest cluster of blocks: the narrowest address window holding 30% of
 * the addresses its blocks ever had (allocators spread blocks differently: zoned-classes puts each
 * size class in a zone of its own, far from the next), all at the scale the widest of them needs.
 */
export function fitRange(): void {
  const s = ui.session!;
  const windows = s.runs.map((r) => {
    const ptrs = Array.from(r.ptrOf).filter((p) => p > 0).sort((a, b) => a - b);
    if (ptrs.length === 0) return { lo: 0, hi: spaceSize() };
    const k = Math.max(1, Math.floor(ptrs.length * 0.3));
    let best = 0;
    for (let i = 0; i + k < ptrs.length; i++) if (ptrs[i + k]! - ptrs[i]! < ptrs[best + k]! - ptrs[best]!) best = i;
    return { lo: ptrs[best]!, hi: ptrs[Math.min(ptrs.length - 1, best + k)]! + 4096 };
  });
  const widest = Math.max(...windows.map((e) => e.hi - e.lo));
  ui.range.bytesPerCell = clampSpan(2 ** Math.ceil(Math.log2(Math.max(CELLS, widest * 1.25)))) / CELLS;
  ui.range.lo = windows.map((e) => loAround((e.lo + e.hi) / 2));
  ui.lifeRange = { lo: ui.range.lo[ui.lifeRun]!, span: span() };
  ui.lifetimesKey = '';
}

/** The address in run j of the block ui.selected (same offset into the same trace block), or null when it is not live there. */
export function counterpart(j: number): number | null {
  if (!ui.selected || !ui.session) return null;
  if (j === ui.selected.run) return ui.selected.addr;
  const { ownership, life } = ui.session.pointAt(ui.selected.run, ui.selected.addr);
  if (life < 0 || !ownership.block) return null;
  const r = ui.session.runs[j]!;
  const p = r.ptrOf[life]!;
  return p !== 0 && r.lifeAt(p) === life ? p + (ui.selected.addr - ownership.block.base) : null;
}

export function drawMaps(): void {
  const s = ui.session!;
  const ps = s.runs[0]!.space.pageSize;
  $('range').textContent = `${fmtBytes(span())} a map · ${fmtBytes(ui.range.bytesPerCell)} a cell${ui.range.bytesPerCell < ps ? ' · cells by what inspect says' : ' · cells by page state'}`;
  s.runs.forEach((r, i) => {
    const c = $(`map${i}`) as HTMLCanvasElement;
    if (!c) return;
    const { w, h, ctx } = canvasSize(c);
    const cw = w / COLS;
    const ch = h / ROWS;
    const lo = ui.range.lo[i]!;
    const cells = heapCells(r.space, r.top, lo, ui.range.bytesPerCell, CELLS);
    $(`map-range${i}`).textContent = `${hex(lo)} – ${hex(lo + span())}`;
    ctx.clearRect(0, 0, w, h);
    // One path per colour: runs of equal cells along a row become one rectangle.
    const paths = new Map<string, Path2D>();
    const path = (colour: string): Path2D => {
      let p = paths.get(colour);
      if (!p) paths.set(colour, (p = new Path2D()));
      return p;
    };
    for (let row = 0; row < ROWS; row++) {
      let c0 = 0;
      for (let col = 1; col <= COLS; col++) {
        const k0 = row * COLS + c0;
        if (col < COLS && cells.states[row * COLS + col] === cells.states[k0]) continue;
        path(KIND_COLOURS[BYTE_KINDS[cells.states[k0]!]!]!).rect(c0 * cw, row * ch, (col - c0) * cw + 0.5, ch + 0.5);
        c0 = col;
      }
    }
    if (cells.mode === 'pages') {
      for (let k = 0; k < CELLS; k++) {
        const o = cells.owners[k]!;
        if (o !== 0) path(OWNER_COLOURS[((o - 1) % (OWNER_COLOURS.length - 1)) + 1]! + '|').rect((k % COLS) * cw, Math.floor(k / COLS) * ch + ch - 1.5, cw + 0.5, 1.5);
      }
    }
    for (const [colour, p] of paths) {
      ctx.fillStyle = colour.replace('|', '');
      ctx.fill(p);
    }
    if (cells.mode === 'bytes' && ui.range.bytesPerCell * COLS <= ps) {
      // Row guides every 16 bytes of address when one row is a few hundred bytes.
      ctx.strokeStyle = 'rgba(255,255,255,0.5)';
      for (let col = 16; col < COLS; col += 16) {
        ctx.beginPath();
        ctx.moveTo(col * cw, 0);
        ctx.lineTo(col * cw, h);
        ctx.stroke();
      }
    }
    const mark = counterpart(i);
    if (mark !== null && mark >= lo && mark < lo + span()) {
      const k = Math.floor((mark - lo) / ui.range.bytesPerCell);
      ctx.strokeStyle = '#d12f2f';
      ctx.lineWidth = 2;
      ctx.strokeRect((k % COLS) * cw - 1, Math.floor(k / COLS) * ch - 1, cw + 2, ch + 2);
      ctx.lineWidth = 1;
    }
  });
}

export function hover(i: number, addr: number): void {
  if (!ui.session) return;
  const { ownership, inspection } = ui.session.pointAt(i, addr);
  $('hover').textContent = `${i + 1}: ${ownership.text}${inspection ? ` · ${inspection.kind} ${hex(inspection.start)}+${inspection.size}` : ''}`;
}

export function select(run: number, addr: number): void {
  ui.selected = { run, addr };
  ($('address') as HTMLInputElement).value = hex(addr);
  ($('address-run') as HTMLSelectElement).value = String(run);
  render();
}

export function ownerCard(i: number, addr: number, o: Ownership, site: string | null, ins: Inspection | undefined): string {
  const r = ui.session!.runs[i]!;
  const rows: [string, string][] = [
    ['address', hex(addr)],
    ['who', o.text],
    ['allocator', o.chain.length > 0 ? o.chain[0]!.label : o.ownerLabel || 'none'],
    ['block', o.block ? `${hex(o.block.base)} (${o.block.size} bytes)` : 'none'],
    ['offset', o.block ? `${addr - o.block.base} bytes into the block` : '–'],
    ['allocation site', site ?? '–'],
    ['chain', o.chain.length > 0 ? o.chain.map((x) => x.label).join(' < ') : '–'],
  ];
  const inspected: [string, string][] = ins
    ? [['inspect', `${ins.kind}: ${hex(ins.start)} + ${ins.size} bytes`], ...ins.details.map(([k, v]) => [k, v] as [string, string]), ['answered by', ins.chain.join(' < ')]]
    : [['inspect', r.top.inspect ? 'nothing of this allocator here' : 'this allocator has no inspect']];
  const colour = ins ? KIND_COLOURS[ins.kind] : '#999';
  const dl = (xs: [string, string][], data: string): string => `<dl data-part="${data}">${xs.map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd data-key="${escapeHtml(k)}">${escapeHtml(v)}</dd>`).join('')}</dl>`;
  return `<div class="owner" data-run="${i}"><h3 style="color:${RUN_COLOURS[i]}">${i + 1}: ${escapeHtml(r.spec.label)} ${ins ? `<span class="kind" style="background:${colour}">${ins.kind}</span>` : ''}</h3>${dl(rows, 'ownership')}${dl(inspected, 'inspection')}</div>`;
}

export function drawOwners(): void {
  const box = $('owner-box');
  if (ui.selected === null || !ui.session) {
    box.hidden = true;
    return;
  }
  box.hidden = false;
  $('owner-addr').textContent = `${hex(ui.selected.addr)} of ${ui.selected.run + 1} after event ${fmtInt(ui.session.cursor)}`;
  $('owners').innerHTML = ui.session.runs.map((r, i) => {
    const addr = counterpart(i);
    if (addr === null) return `<div class="owner" data-run="${i}"><h3 style="color:${RUN_COLOURS[i]}">${i + 1}: ${escapeHtml(r.spec.label)}</h3><p class="muted">the ui.selected block is not live here (or nothing is ui.selected in a live block of ${ui.selected!.run + 1})</p></div>`;
    const { ownership, site, inspection } = ui.session!.pointAt(i, addr);
    return ownerCard(i, addr, ownership, site, inspection);
  }).join('');
}
