/*
 * Block lifetimes: each block of run `lifeRun` as a bar from its malloc to its free, at its
 * address in the chart's range (ui.lifeRange), coloured by site (or by size when the source has
 * no sites); the heap map's window is shaded — the brush between the two views. The bars are
 * drawn once per range and cached; the cursor line and a drag's band go over them.
 */

import { hex } from '@heaplab/core';
import { $, CELLS, canvasSize, fmtInt, ui } from './state.js';
import { span } from './maps.js';


export function lifeWindow(): { lo: number; span: number } {
  const lo = ui.range.lo[ui.lifeRun]!;
  const sp = span();
  if (lo >= ui.lifeRange.lo && lo + sp <= ui.lifeRange.lo + ui.lifeRange.span) return ui.lifeRange;
  const a = Math.min(lo, ui.lifeRange.lo);
  const b = Math.max(lo + sp, ui.lifeRange.lo + ui.lifeRange.span);
  ui.lifeRange = { lo: a, span: b - a };
  return ui.lifeRange;
}
export const LIFE_PAD = { l: 8, r: 8, t: 6, b: 6 };

export function sizeColour(bytes: number): string {
  const t = Math.min(1, Math.log2(Math.max(1, bytes)) / 20);
  return `hsl(${(220 - 220 * t).toFixed(0)} 65% 48%)`;
}

export function siteColour(site: number): string {
  if (site < 0) return 'hsl(210 10% 55%)';
  const h = (site * 137.508) % 360;
  return `hsl(${h.toFixed(0)} 62% 48%)`;
}

export function drawLifetimes(): void {
  const s = ui.session!;
  const c = $('lifetimes') as HTMLCanvasElement;
  const { w, h, ctx } = canvasSize(c);
  const win = lifeWindow();
  const lo = win.lo;
  const key = `${w}:${lo}:${win.span}:${ui.range.lo[ui.lifeRun]}:${ui.range.bytesPerCell}:${ui.lifeRun}`;
  if (key === ui.lifetimesKey && ui.lifetimesImage) {
    ctx.putImageData(ui.lifetimesImage, 0, 0);
    return;
  }
  ctx.clearRect(0, 0, w, h);
  const st = s.store;
  const r = s.runs[ui.lifeRun]!;
  const sp = win.span;
  const n = Math.max(1, s.events);
  const sited = st.sites.length > 0;
  // The heap map's window, as a band.
  const by = LIFE_PAD.t + ((ui.range.lo[ui.lifeRun]! - lo) / sp) * (h - LIFE_PAD.t - LIFE_PAD.b);
  ctx.fillStyle = 'rgba(43,123,186,0.08)';
  ctx.fillRect(0, by, w, Math.max(2, (span() / sp) * (h - LIFE_PAD.t - LIFE_PAD.b)));
  const iw = w - LIFE_PAD.l - LIFE_PAD.r;
  const ih = h - LIFE_PAD.t - LIFE_PAD.b;
  let drawn = 0;
  for (let l = 0; l < st.lifetimes; l++) {
    const p = r.ptrOf[l]!;
    if (p < lo || p >= lo + sp) continue;
    const x0 = LIFE_PAD.l + (st.start[l]! / n) * iw;
    const x1 = LIFE_PAD.l + (st.end[l]! / n) * iw;
    const y = LIFE_PAD.t + ((p - lo) / sp) * ih;
    const hh = Math.max(1, (st.bytes[l]! / sp) * ih);
    ctx.fillStyle = sited ? siteColour(st.lifeSite[l]!) : sizeColour(st.bytes[l]!);
    ctx.fillRect(x0, y, Math.max(1, x1 - x0), hh);
    drawn++;
  }
  ctx.fillStyle = '#6b7480';
  ctx.font = '11px system-ui';
  ctx.fillText(`${fmtInt(drawn)} blocks in ${hex(lo)} – ${hex(lo + sp)}${sited ? '' : ' · no sites in this source: colour by size (blue small → red large)'}`, LIFE_PAD.l + 4, h - 8);
  ui.lifetimesImage = ctx.getImageData(0, 0, c.width, c.height);
  ui.lifetimesKey = key;
}

export function drawLifetimesCursor(): void {
  drawLifetimes();
  const s = ui.session!;
  const c = $('lifetimes') as HTMLCanvasElement;
  const { w, h, ctx } = canvasSize(c);
  const x = LIFE_PAD.l + (s.cursor / Math.max(1, s.events)) * (w - LIFE_PAD.l - LIFE_PAD.r);
  ctx.strokeStyle = '#d12f2f';
  ctx.beginPath();
  ctx.moveTo(x, 0);
  ctx.lineTo(x, h);
  ctx.stroke();
  if (ui.brush) {
    ctx.fillStyle = 'rgba(43,123,186,0.15)';
    ctx.fillRect(0, Math.min(ui.brush.y0, ui.brush.y1), w, Math.abs(ui.brush.y1 - ui.brush.y0));
  }
}


export function lifetimeAt(ev: MouseEvent): { event: number; addr: number } {
  const c = $('lifetimes') as HTMLCanvasElement;
  const rect = c.getBoundingClientRect();
  const fx = (ev.clientX - rect.left - LIFE_PAD.l) / (rect.width - LIFE_PAD.l - LIFE_PAD.r);
  const fy = (ev.clientY - rect.top - LIFE_PAD.t) / (rect.height - LIFE_PAD.t - LIFE_PAD.b);
  const win = lifeWindow();
  return { event: Math.round(Math.max(0, Math.min(1, fx)) * ui.session!.events), addr: win.lo + Math.max(0, Math.min(1, fy)) * win.span };
}

/** The lifetime under a point of the chart (in run ui.lifeRun), or −1. */
export function blockUnder(event: number, addr: number): number {
  const s = ui.session!;
  const st = s.store;
  const r = s.runs[ui.lifeRun]!;
  const slack = lifeWindow().span / 260;
  for (let l = 0; l < st.lifetimes; l++) {
    const p = r.ptrOf[l]!;
    if (p === 0 || st.start[l]! > event || st.end[l]! < event) continue;
    if (addr >= p - slack && addr <= p + Math.max(st.bytes[l]!, slack)) return l;
  }
  return -1;
}
