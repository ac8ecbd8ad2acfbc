/*
 * The explorer page's shared state and small helpers: layout constants and colours, the `ui`
 * object every view reads and the actions change (the session, the heap maps' scale and windows,
 * the selection, the lifetimes chart's range and caches), formatting, canvas sizing.
 *
 * `range`: one scale for every run's heap map (bytes a cell; a map is CELLS cells) and each run's
 * first address — allocators put the same block at different addresses. `selected`: a run and an
 * address in it; the other runs are asked about the same trace block, found through its
 * lifetime. `lifeRange`: the lifetimes chart's address range in run `lifeRun`, set by "fit
 * blocks" and by dragging on the chart, widened to hold the heap map's window.
 */

import type { EventStore } from '../../src/explore/events.js';
import type { Session } from '../../src/explore/session.js';

export const COLS = 128;
export const ROWS = 32;
export const CELLS = COLS * ROWS;
export const RUN_COLOURS = ['#2b7bba', '#d9622b', '#2e9e5b', '#8e5bb5'];
export const KIND_COLOURS: Record<string, string> = {
  unmapped: '#f4f5f7', 'no access': '#cfc8de', 'not resident': '#dfe8f1', resident: '#8fb4dc',
  live: '#2b6cb0', free: '#8fd19e', quarantine: '#f2b84b', header: '#5a6270', canary: '#e0524a', guard: '#b7a3dd',
  metadata: '#7d5fa8', slack: '#b9d3ec', unused: '#eef2f6', reserved: '#ddd6ea',
};
export const OWNER_COLOURS = ['transparent', '#1b4f80', '#b8561f', '#217a45', '#6d3f91', '#8a6d00', '#00707a'];

export const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;

/** Everything the views share; the actions change it, then call render(). */
export const ui = {
  session: null as Session | null,
  store: null as EventStore | null,
  sourceName: '',
  range: { lo: [0] as number[], bytesPerCell: 2 ** 20 },
  selected: null as { run: number; addr: number } | null,
  playing: false,
  lifeRun: 0,
  lastJumpMs: NaN,
  lifeRange: { lo: 0, span: 2 ** 32 },
  brush: null as { y0: number; y1: number } | null,
  timelineCache: null as ImageData | null,
  timelineKey: '',
  lifetimesKey: '',
  lifetimesImage: null as ImageData | null,
};

export function status(text: string): void {
  $('status').textContent = text;
}

export function fmtBytes(n: number): string {
  if (!Number.isFinite(n)) return '–';
  const u = ['B', 'KiB', 'MiB', 'GiB'];
  let i = 0;
  while (Math.abs(n) >= 1024 && i < u.length - 1) {
    n /= 1024;
    i++;
  }
  return `${i === 0 ? n.toFixed(0) : n.toFixed(n < 10 ? 2 : 1)} ${u[i]}`;
}

export const fmtRatio = (x: number): string => (Number.isFinite(x) ? x.toFixed(3) : '–');
export const fmtInt = (n: number): string => n.toLocaleString('en-US');

export function canvasSize(c: HTMLCanvasElement): { w: number; h: number; ctx: CanvasRenderingContext2D } {
  const ratio = window.devicePixelRatio || 1;
  const w = c.clientWidth;
  const h = Number(c.getAttribute('height'));
  if (c.width !== Math.round(w * ratio)) {
    c.width = Math.round(w * ratio);
    c.height = Math.round(h * ratio);
    c.style.height = `${h}px`;
  }
  const ctx = c.getContext('2d')!;
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  return { w, h, ctx };
}

export function escapeHtml(t: string): string {
  return t.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
}
