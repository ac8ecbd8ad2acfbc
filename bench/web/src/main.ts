/*
 * The explorer's page: wires the model (bench/src/explore: EventStore, Session, heapCells) to
 * plain DOM and canvas. Structure: configuration (config.js, then the URL's query) → a source
 * read by the trace worker → a Session prepared over one to four allocators → the views, each
 * redrawn from the cursor: the timeline with its series, the metrics table, a heap map per run
 * on one address range, the ownership panel of the selected address, the block lifetimes.
 *
 * State: `session` (null until a source is prepared), `range` (the heap maps' scale, one for all
 * runs — bytes a cell, span = CELLS · bytesPerCell — and each run's first address: allocators put
 * the same block at different addresses), `selected` (a run and an address, or null; the other
 * runs are asked about the same trace block, found through its lifetime). Every action ends in `render()`,
 * which redraws what depends on the cursor; the lifetimes chart is redrawn only when the range or
 * the run it follows changes (its cursor line is an overlay). `window.heaplabExplore` exposes the
 * session and timed jumps to the browser tests.
 */

import { EV_FREE, hex, type Inspection, type Ownership } from '@heaplab/core';
import { EventStore, KIND_NAMES } from '../../src/explore/events.js';
import { Session } from '../../src/explore/session.js';
import { runSpec } from '../../src/explore/specs.js';
import { WORKLOADS } from '../../src/explore/browser-workloads.js';
import { BYTE_KINDS, heapCells } from '../../src/explore/heap-view.js';
import type { SourceRequest, WorkerMessage } from './protocol.js';

declare const __WORKER_SOURCE__: string;

/** What the CLI writes into config.js. */
interface PageConfig {
  source?: SourceRequest | { kind: 'embedded'; name: string; base64: string };
  allocators?: string[];
  configured?: Record<string, Record<string, unknown>>;
  spaceMib?: number;
}

const config: PageConfig = (window as unknown as { HEAPLAB_EXPLORE?: PageConfig }).HEAPLAB_EXPLORE ?? {};
const query = new URLSearchParams(location.search);

const COLS = 128;
const ROWS = 32;
const CELLS = COLS * ROWS;
const RUN_COLOURS = ['#2b7bba', '#d9622b', '#2e9e5b', '#8e5bb5'];
const KIND_COLOURS: Record<string, string> = {
  unmapped: '#f4f5f7', 'no access': '#cfc8de', 'not resident': '#dfe8f1', resident: '#8fb4dc',
  live: '#2b6cb0', free: '#8fd19e', quarantine: '#f2b84b', header: '#5a6270', canary: '#e0524a', guard: '#b7a3dd',
  metadata: '#7d5fa8', slack: '#b9d3ec', unused: '#eef2f6', reserved: '#ddd6ea',
};
const OWNER_COLOURS = ['transparent', '#1b4f80', '#b8561f', '#217a45', '#6d3f91', '#8a6d00', '#00707a'];

const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;

let session: Session | null = null;
let store: EventStore | null = null;
let sourceName = '';
/** The heap maps' scale (bytes a cell, shared) and each run's first address. */
let range = { lo: [0] as number[], bytesPerCell: 2 ** 20 };
/** The selected address and the run it was picked in; the other runs show the same block where it lives. */
let selected: { run: number; addr: number } | null = null;
let playing = false;
let lifeRun = 0;
let lastJumpMs = NaN;

function status(text: string): void {
  $('status').textContent = text;
}

function fmtBytes(n: number): string {
  if (!Number.isFinite(n)) return '–';
  const u = ['B', 'KiB', 'MiB', 'GiB'];
  let i = 0;
  while (Math.abs(n) >= 1024 && i < u.length - 1) {
    n /= 1024;
    i++;
  }
  return `${i === 0 ? n.toFixed(0) : n.toFixed(n < 10 ? 2 : 1)} ${u[i]}`;
}

const fmtRatio = (x: number): string => (Number.isFinite(x) ? x.toFixed(3) : '–');
const fmtInt = (n: number): string => n.toLocaleString('en-US');

// ------------------------------------------------------------------ reading a source

function worker(): Worker {
  const url = URL.createObjectURL(new Blob([__WORKER_SOURCE__], { type: 'text/javascript' }));
  return new Worker(url);
}

function base64Blob(b64: string): Blob {
  const bin = atob(b64);
  const b = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) b[i] = bin.charCodeAt(i);
  return new Blob([b]);
}

/** Reads a source through the worker into a fresh EventStore. */
function read(source: SourceRequest): Promise<EventStore> {
  return new Promise((resolve, reject) => {
    const w = worker();
    const s = new EventStore();
    const sites: string[] = [];
    const t0 = performance.now();
    w.onmessage = (e: MessageEvent<WorkerMessage>) => {
      const m = e.data;
      if (m.type === 'chunk') {
        sites.push(...m.newSites);
        s.push({ count: m.count, firstEvent: s.count, kind: m.kind, id: m.id, size: m.size, arg: m.arg, site: m.site, line: new Float64Array(0), sites, program: m.program, positions: 'line' });
        status(`reading ${source.name}: ${fmtInt(s.count)} events${m.bytesRead ? `, ${fmtBytes(m.bytesRead)} read` : ''}`);
      } else if (m.type === 'done') {
        w.terminate();
        status(`read ${fmtInt(m.events)} events (${m.format}) in ${((performance.now() - t0) / 1000).toFixed(2)} s`);
        resolve(s);
      } else {
        w.terminate();
        reject(new Error(m.message));
      }
    };
    w.onerror = (e) => reject(new Error(e.message));
    w.postMessage({ type: 'open', source });
  });
}

function specs(): string[] {
  return [0, 1, 2, 3].map((i) => ($(`a${i}`) as HTMLInputElement).value.trim()).filter((s) => s !== '');
}

async function load(source: SourceRequest): Promise<void> {
  playing = false;
  sourceName = source.name;
  $('source-name').textContent = source.kind === 'workload' ? `${source.name}(seed=${source.seed}, ops=${source.ops})` : source.name;
  store = await read(source);
  await prepare();
}

async function prepare(): Promise<void> {
  if (store === null) return;
  const texts = specs();
  if (texts.length === 0) throw new Error('give at least one allocator');
  const made = texts.map((t) => runSpec(t, config.configured ?? {}));
  store.analyse();
  const spaceMib = Number(query.get('space') ?? config.spaceMib ?? 4096);
  const s = new Session(store, made, { spaceBytes: spaceMib * 2 ** 20 });
  const t0 = performance.now();
  await s.prepare(async (run, event) => {
    status(`running ${made[run]!.label}: event ${fmtInt(event)} of ${fmtInt(store!.count)}`);
    await new Promise((r) => setTimeout(r, 0));
  });
  const kept = s.runs.reduce((n, r) => n + r.checkpoints.reduce((m, c) => m + c.bytes, 0), 0);
  status(`${fmtInt(store.count)} events × ${made.length} allocator${made.length > 1 ? 's' : ''} in ${((performance.now() - t0) / 1000).toFixed(2)} s; checkpoints every ${fmtInt(s.every)} events, ${fmtBytes(kept)}`);
  session = s;
  const life = $('life-run') as HTMLSelectElement;
  life.innerHTML = s.runs.map((r, i) => `<option value="${i}">${i + 1}: ${escapeHtml(r.spec.label)}</option>`).join('');
  ($('address-run') as HTMLSelectElement).innerHTML = life.innerHTML;
  selected = null;
  lifeRun = 0;
  buildMaps();
  fitRange();
  seek(s.events);
}

// ------------------------------------------------------------------ cursor

function seek(e: number): void {
  if (!session) return;
  const t = Math.max(0, Math.min(session.events, Math.round(e)));
  const t0 = performance.now();
  session.seek(t);
  lastJumpMs = performance.now() - t0;
  ($('event') as HTMLInputElement).value = String(t);
  render();
}

function render(): void {
  if (!session) return;
  drawTimeline();
  drawEventLine();
  drawMetrics();
  drawMaps();
  drawOwners();
  drawLifetimesCursor();
  $('jump').textContent = Number.isFinite(lastJumpMs) ? `moved in ${lastJumpMs.toFixed(1)} ms` : '';
}

function frame(): void {
  if (playing && session) {
    const speed = Number(($('speed') as HTMLSelectElement).value);
    if (session.cursor >= session.events) playing = false;
    else seek(session.cursor + speed);
  }
  $('play').textContent = playing ? '⏸ pause' : '▶ play';
  requestAnimationFrame(frame);
}

// ------------------------------------------------------------------ timeline

function canvasSize(c: HTMLCanvasElement): { w: number; h: number; ctx: CanvasRenderingContext2D } {
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

let timelineCache: ImageData | null = null;
let timelineKey = '';

function drawTimeline(): void {
  const s = session!;
  const c = $('timeline') as HTMLCanvasElement;
  const { w, h, ctx } = canvasSize(c);
  const key = `${w}:${s.runs.length}:${s.events}`;
  const pad = { l: 64, r: 8, t: 8, b: 18 };
  const n = s.events;
  const x = (e: number): number => pad.l + (e / Math.max(1, n)) * (w - pad.l - pad.r);
  if (key !== timelineKey || !timelineCache) {
    ctx.clearRect(0, 0, w, h);
    let max = 1;
    for (const r of s.runs) for (let k = 0; k <= n; k++) max = Math.max(max, r.live[k]!, r.resident[k]! * r.space.pageSize);
    const y = (v: number): number => h - pad.b - (v / max) * (h - pad.t - pad.b);
    ctx.strokeStyle = '#e3e7ec';
    ctx.fillStyle = '#6b7480';
    ctx.font = '11px system-ui';
    for (let g = 0; g <= 4; g++) {
      const v = (max * g) / 4;
      ctx.beginPath();
      ctx.moveTo(pad.l, y(v));
      ctx.lineTo(w - pad.r, y(v));
      ctx.stroke();
      ctx.fillText(fmtBytes(v), 4, y(v) + 4);
    }
    const px = Math.max(1, Math.floor(w - pad.l - pad.r));
    const series = (get: (k: number) => number, colour: string, dash: number[], fill: boolean): void => {
      ctx.beginPath();
      ctx.setLineDash(dash);
      for (let i = 0; i <= px; i++) {
        const k0 = Math.floor((i / px) * n);
        const k1 = Math.max(k0 + 1, Math.floor(((i + 1) / px) * n));
        let v = 0;
        for (let k = k0; k < Math.min(k1, n + 1); k++) v = Math.max(v, get(k));
        if (i === 0) ctx.moveTo(pad.l + i, y(v));
        else ctx.lineTo(pad.l + i, y(v));
      }
      if (fill) {
        ctx.lineTo(pad.l + px, y(0));
        ctx.lineTo(pad.l, y(0));
        ctx.closePath();
        ctx.fillStyle = colour;
        ctx.fill();
      } else {
        ctx.strokeStyle = colour;
        ctx.lineWidth = 1.5;
        ctx.stroke();
      }
      ctx.setLineDash([]);
      ctx.lineWidth = 1;
    };
    const r0 = s.runs[0]!;
    series((k) => r0.live[k]!, 'rgba(120,130,145,0.25)', [], true);
    s.runs.forEach((r, i) => {
      series((k) => r.resident[k]! * r.space.pageSize, RUN_COLOURS[i]!, [], false);
      series((k) => Math.min(r.mapped[k]! * r.space.pageSize, max), RUN_COLOURS[i]! + '66', [4, 3], false);
    });
    ctx.fillStyle = '#6b7480';
    ctx.fillText('live bytes (grey area) · resident = footprint (solid) · mapped (dashed, clipped)', pad.l + 6, pad.t + 10);
    timelineCache = ctx.getImageData(0, 0, c.width, c.height);
    timelineKey = key;
  } else ctx.putImageData(timelineCache, 0, 0);
  ctx.setTransform(window.devicePixelRatio || 1, 0, 0, window.devicePixelRatio || 1, 0, 0);
  ctx.strokeStyle = '#d12f2f';
  ctx.beginPath();
  ctx.moveTo(x(s.cursor), pad.t);
  ctx.lineTo(x(s.cursor), h - pad.b);
  ctx.stroke();
  ctx.fillStyle = '#d12f2f';
  ctx.font = '11px system-ui';
  ctx.fillText(fmtInt(s.cursor), Math.min(x(s.cursor) + 4, w - 60), h - 5);
}

function timelineEvent(ev: MouseEvent): number {
  const c = $('timeline') as HTMLCanvasElement;
  const rect = c.getBoundingClientRect();
  const f = (ev.clientX - rect.left - 64) / (rect.width - 72);
  return Math.round(Math.max(0, Math.min(1, f)) * session!.events);
}

// ------------------------------------------------------------------ event line and metrics

function drawEventLine(): void {
  const s = session!;
  const st = s.store;
  const e = s.cursor - 1;
  if (e < 0) {
    $('event-line').textContent = `before the first of ${fmtInt(s.events)} events`;
    return;
  }
  const k = st.kind[e]!;
  const site = st.siteOf(e);
  const what = k === EV_FREE ? `free id ${hex(st.id[e]!)}` : `${KIND_NAMES[k]} ${fmtInt(st.size[e]!)} bytes → id ${hex(st.id[e]!)}${k === 3 ? ` (from ${hex(st.arg[e]!)})` : ''}`;
  $('event-line').textContent = `event ${fmtInt(e)} of ${fmtInt(s.events)} (just applied): ${what}${site ? ` at ${site}` : ''}`;
}

function drawMetrics(): void {
  const s = session!;
  const rows = s.runs.map((r, i) => {
    const m = s.metrics(i);
    const ps = r.space.pageSize;
    return `<tr><td><span class="swatch" style="background:${RUN_COLOURS[i]}"></span>${escapeHtml(r.spec.label)}</td><td>${fmtBytes(r.live[s.cursor]!)}</td><td>${fmtBytes(r.resident[s.cursor]! * ps)}</td><td>${fmtBytes(r.mapped[s.cursor]! * ps)}</td><td>${fmtInt(r.graph.live.size)}</td><td>${fmtRatio(m.m1)}</td><td>${fmtRatio(m.m2)}</td><td>${fmtRatio(m.m3)}</td><td>${fmtRatio(m.m4)}</td><td>${fmtInt(r.failures)}</td></tr>`;
  });
  $('metrics').innerHTML = `<tr><th>allocator</th><th>live</th><th>resident</th><th>mapped</th><th>live blocks</th><th title="mean resident / live over events so far">M1</th><th title="resident at peak live / peak live">M2</th><th title="peak resident / live at that event">M3</th><th title="peak resident / peak live">M4</th><th>failed</th></tr>${rows.join('')}`;
}

function escapeHtml(t: string): string {
  return t.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
}

// ------------------------------------------------------------------ heap maps

function buildMaps(): void {
  const s = session!;
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

function addressAt(i: number, c: HTMLCanvasElement, ev: MouseEvent): number {
  const rect = c.getBoundingClientRect();
  const col = Math.min(COLS - 1, Math.max(0, Math.floor(((ev.clientX - rect.left) / rect.width) * COLS)));
  const row = Math.min(ROWS - 1, Math.max(0, Math.floor(((ev.clientY - rect.top) / rect.height) * ROWS)));
  return range.lo[i]! + (row * COLS + col) * range.bytesPerCell;
}

const span = (): number => range.bytesPerCell * CELLS;

function spaceSize(): number {
  return session!.runs[0]!.space.size;
}

/** A span in bytes: a power of two between CELLS bytes and the space. */
function clampSpan(bytes: number): number {
  return Math.min(spaceSize(), Math.max(CELLS, 2 ** Math.round(Math.log2(Math.max(1, bytes)))));
}

/** Run i's first address for a view of the current span centred on `centre`, aligned to a cell. */
function loAround(centre: number): number {
  const bpc = range.bytesPerCell;
  return Math.max(0, Math.min(spaceSize() - span(), Math.floor((centre - span() / 2) / bpc) * bpc));
}

/** Sets the scale to `bytes` a view; run `i` centred on `at`, the others on their current centres. */
function setScale(bytes: number, i: number, at: number): void {
  const centres = session!.runs.map((_, j) => (range.lo[j] ?? 0) + span() / 2);
  centres[i] = at;
  range.bytesPerCell = clampSpan(bytes) / CELLS;
  range.lo = centres.map(loAround);
  lifetimesKey = '';
}

function zoom(factor: number, i: number, at: number): void {
  setScale(span() / factor, i, at);
  render();
}

/**
 * Each run's view on its densest cluster of blocks: the narrowest address window holding 30% of
 * the addresses its blocks ever had (allocators spread blocks differently: zoned-classes puts each
 * size class in a zone of its own, far from the next), all at the scale the widest of them needs.
 */
function fitRange(): void {
  const s = session!;
  const windows = s.runs.map((r) => {
    const ptrs = Array.from(r.ptrOf).filter((p) => p > 0).sort((a, b) => a - b);
    if (ptrs.length === 0) return { lo: 0, hi: spaceSize() };
    const k = Math.max(1, Math.floor(ptrs.length * 0.3));
    let best = 0;
    for (let i = 0; i + k < ptrs.length; i++) if (ptrs[i + k]! - ptrs[i]! < ptrs[best + k]! - ptrs[best]!) best = i;
    return { lo: ptrs[best]!, hi: ptrs[Math.min(ptrs.length - 1, best + k)]! + 4096 };
  });
  const widest = Math.max(...windows.map((e) => e.hi - e.lo));
  range.bytesPerCell = clampSpan(2 ** Math.ceil(Math.log2(Math.max(CELLS, widest * 1.25)))) / CELLS;
  range.lo = windows.map((e) => loAround((e.lo + e.hi) / 2));
  lifeRange = { lo: range.lo[lifeRun]!, span: span() };
  lifetimesKey = '';
}

/** The address in run j of the block selected (same offset into the same trace block), or null when it is not live there. */
function counterpart(j: number): number | null {
  if (!selected || !session) return null;
  if (j === selected.run) return selected.addr;
  const { ownership, life } = session.pointAt(selected.run, selected.addr);
  if (life < 0 || !ownership.block) return null;
  const r = session.runs[j]!;
  const p = r.ptrOf[life]!;
  return p !== 0 && r.lifeAt(p) === life ? p + (selected.addr - ownership.block.base) : null;
}

function drawMaps(): void {
  const s = session!;
  const ps = s.runs[0]!.space.pageSize;
  $('range').textContent = `${fmtBytes(span())} a map · ${fmtBytes(range.bytesPerCell)} a cell${range.bytesPerCell < ps ? ' · cells by what inspect says' : ' · cells by page state'}`;
  s.runs.forEach((r, i) => {
    const c = $(`map${i}`) as HTMLCanvasElement;
    if (!c) return;
    const { w, h, ctx } = canvasSize(c);
    const cw = w / COLS;
    const ch = h / ROWS;
    const lo = range.lo[i]!;
    const cells = heapCells(r.space, r.top, lo, range.bytesPerCell, CELLS);
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
    if (cells.mode === 'bytes' && range.bytesPerCell * COLS <= ps) {
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
      const k = Math.floor((mark - lo) / range.bytesPerCell);
      ctx.strokeStyle = '#d12f2f';
      ctx.lineWidth = 2;
      ctx.strokeRect((k % COLS) * cw - 1, Math.floor(k / COLS) * ch - 1, cw + 2, ch + 2);
      ctx.lineWidth = 1;
    }
  });
}

function hover(i: number, addr: number): void {
  if (!session) return;
  const { ownership, inspection } = session.pointAt(i, addr);
  $('hover').textContent = `${i + 1}: ${ownership.text}${inspection ? ` · ${inspection.kind} ${hex(inspection.start)}+${inspection.size}` : ''}`;
}

function select(run: number, addr: number): void {
  selected = { run, addr };
  ($('address') as HTMLInputElement).value = hex(addr);
  ($('address-run') as HTMLSelectElement).value = String(run);
  render();
}

function ownerCard(i: number, addr: number, o: Ownership, site: string | null, ins: Inspection | undefined): string {
  const r = session!.runs[i]!;
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

function drawOwners(): void {
  const box = $('owner-box');
  if (selected === null || !session) {
    box.hidden = true;
    return;
  }
  box.hidden = false;
  $('owner-addr').textContent = `${hex(selected.addr)} of ${selected.run + 1} after event ${fmtInt(session.cursor)}`;
  $('owners').innerHTML = session.runs.map((r, i) => {
    const addr = counterpart(i);
    if (addr === null) return `<div class="owner" data-run="${i}"><h3 style="color:${RUN_COLOURS[i]}">${i + 1}: ${escapeHtml(r.spec.label)}</h3><p class="muted">the selected block is not live here (or nothing is selected in a live block of ${selected!.run + 1})</p></div>`;
    const { ownership, site, inspection } = session!.pointAt(i, addr);
    return ownerCard(i, addr, ownership, site, inspection);
  }).join('');
}

// ------------------------------------------------------------------ lifetimes

let lifetimesKey = '';
let lifetimesImage: ImageData | null = null;
/**
 * The lifetimes chart's address range (of run lifeRun): set by "fit blocks" and by dragging on the
 * chart; widened to hold the heap map's window, which it shows as a band (the brush).
 */
let lifeRange = { lo: 0, span: 2 ** 32 };

function lifeWindow(): { lo: number; span: number } {
  const lo = range.lo[lifeRun]!;
  const sp = span();
  if (lo >= lifeRange.lo && lo + sp <= lifeRange.lo + lifeRange.span) return lifeRange;
  const a = Math.min(lo, lifeRange.lo);
  const b = Math.max(lo + sp, lifeRange.lo + lifeRange.span);
  lifeRange = { lo: a, span: b - a };
  return lifeRange;
}
const LIFE_PAD = { l: 8, r: 8, t: 6, b: 6 };

function sizeColour(bytes: number): string {
  const t = Math.min(1, Math.log2(Math.max(1, bytes)) / 20);
  return `hsl(${(220 - 220 * t).toFixed(0)} 65% 48%)`;
}

function siteColour(site: number): string {
  if (site < 0) return 'hsl(210 10% 55%)';
  const h = (site * 137.508) % 360;
  return `hsl(${h.toFixed(0)} 62% 48%)`;
}

function drawLifetimes(): void {
  const s = session!;
  const c = $('lifetimes') as HTMLCanvasElement;
  const { w, h, ctx } = canvasSize(c);
  const win = lifeWindow();
  const lo = win.lo;
  const key = `${w}:${lo}:${win.span}:${range.lo[lifeRun]}:${range.bytesPerCell}:${lifeRun}`;
  if (key === lifetimesKey && lifetimesImage) {
    ctx.putImageData(lifetimesImage, 0, 0);
    return;
  }
  ctx.clearRect(0, 0, w, h);
  const st = s.store;
  const r = s.runs[lifeRun]!;
  const sp = win.span;
  const n = Math.max(1, s.events);
  const sited = st.sites.length > 0;
  // The heap map's window, as a band.
  const by = LIFE_PAD.t + ((range.lo[lifeRun]! - lo) / sp) * (h - LIFE_PAD.t - LIFE_PAD.b);
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
  lifetimesImage = ctx.getImageData(0, 0, c.width, c.height);
  lifetimesKey = key;
}

function drawLifetimesCursor(): void {
  drawLifetimes();
  const s = session!;
  const c = $('lifetimes') as HTMLCanvasElement;
  const { w, h, ctx } = canvasSize(c);
  const x = LIFE_PAD.l + (s.cursor / Math.max(1, s.events)) * (w - LIFE_PAD.l - LIFE_PAD.r);
  ctx.strokeStyle = '#d12f2f';
  ctx.beginPath();
  ctx.moveTo(x, 0);
  ctx.lineTo(x, h);
  ctx.stroke();
  if (brush) {
    ctx.fillStyle = 'rgba(43,123,186,0.15)';
    ctx.fillRect(0, Math.min(brush.y0, brush.y1), w, Math.abs(brush.y1 - brush.y0));
  }
}

let brush: { y0: number; y1: number } | null = null;

function lifetimeAt(ev: MouseEvent): { event: number; addr: number } {
  const c = $('lifetimes') as HTMLCanvasElement;
  const rect = c.getBoundingClientRect();
  const fx = (ev.clientX - rect.left - LIFE_PAD.l) / (rect.width - LIFE_PAD.l - LIFE_PAD.r);
  const fy = (ev.clientY - rect.top - LIFE_PAD.t) / (rect.height - LIFE_PAD.t - LIFE_PAD.b);
  const win = lifeWindow();
  return { event: Math.round(Math.max(0, Math.min(1, fx)) * session!.events), addr: win.lo + Math.max(0, Math.min(1, fy)) * win.span };
}

/** The lifetime under a point of the chart (in run lifeRun), or −1. */
function blockUnder(event: number, addr: number): number {
  const s = session!;
  const st = s.store;
  const r = s.runs[lifeRun]!;
  const slack = lifeWindow().span / 260;
  for (let l = 0; l < st.lifetimes; l++) {
    const p = r.ptrOf[l]!;
    if (p === 0 || st.start[l]! > event || st.end[l]! < event) continue;
    if (addr >= p - slack && addr <= p + Math.max(st.bytes[l]!, slack)) return l;
  }
  return -1;
}

// ------------------------------------------------------------------ wiring

function wire(): void {
  const wl = $('workload') as HTMLSelectElement;
  wl.innerHTML = WORKLOADS.map((w) => `<option value="${w.name}">${w.name}</option>`).join('');
  const initial = config.allocators ?? ['dlmalloc-style', 'zoned-classes'];
  const fromQuery = query.getAll('a');
  (fromQuery.length > 0 ? fromQuery : initial).slice(0, 4).forEach((t, i) => (($(`a${i}`) as HTMLInputElement).value = t));
  const guard = (f: () => Promise<void> | void) => () => {
    Promise.resolve()
      .then(f)
      .catch((e: unknown) => status(`error: ${e instanceof Error ? e.message : String(e)}`));
  };
  $('file').addEventListener('change', guard(async () => {
    const f = ($('file') as HTMLInputElement).files?.[0];
    if (f) await load({ kind: 'blob', blob: f, name: f.name });
  }));
  $('load-workload').addEventListener('click', guard(() => load({ kind: 'workload', name: wl.value, seed: Number(($('seed') as HTMLInputElement).value), ops: Number(($('ops') as HTMLInputElement).value) })));
  $('rerun').addEventListener('click', guard(prepare));
  $('play').addEventListener('click', () => {
    if (session && session.cursor >= session.events) seek(0);
    playing = !playing;
  });
  $('step').addEventListener('click', () => session && seek(session.cursor + 1));
  $('back').addEventListener('click', () => session && seek(session.cursor - 1));
  $('next-kind').addEventListener('click', () => {
    if (!session) return;
    const e = session.nextOfKind(session.cursor, Number(($('kind') as HTMLSelectElement).value));
    if (e >= 0) seek(e);
    else status('no such event after the cursor');
  });
  $('peak-live').addEventListener('click', () => session && seek(session.metrics(0, session.events).peakLiveEvent));
  $('peak-resident').addEventListener('click', () => session && seek(session.metrics(0, session.events).peakResidentEvent));
  $('go').addEventListener('click', () => seek(Number(($('event') as HTMLInputElement).value)));
  $('event').addEventListener('keydown', (ev) => (ev as KeyboardEvent).key === 'Enter' && seek(Number(($('event') as HTMLInputElement).value)));
  const point = (): void => {
    const t = ($('address') as HTMLInputElement).value.trim();
    const a = t.startsWith('0x') ? Number.parseInt(t.slice(2), 16) : Number(t);
    if (!Number.isInteger(a) || a < 0 || !session || a >= spaceSize()) {
      status(`not an address: ${t}`);
      return;
    }
    const run = Number(($('address-run') as HTMLSelectElement).value);
    selected = { run, addr: a };
    if (a < range.lo[run]! || a >= range.lo[run]! + span()) setScale(span(), run, a);
    render();
  };
  $('point').addEventListener('click', point);
  $('address').addEventListener('keydown', (ev) => (ev as KeyboardEvent).key === 'Enter' && point());
  $('z-all').addEventListener('click', () => {
    if (!session) return;
    range = { bytesPerCell: spaceSize() / CELLS, lo: session.runs.map(() => 0) };
    lifetimesKey = '';
    render();
  });
  $('z-fit').addEventListener('click', () => session && (fitRange(), render()));
  $('z-in').addEventListener('click', () => session && (selected ? zoom(4, selected.run, selected.addr) : zoom(4, 0, range.lo[0]! + span() / 2)));
  $('z-out').addEventListener('click', () => session && zoom(0.25, 0, range.lo[0]! + span() / 2));
  $('z-page').addEventListener('click', () => {
    if (!session || selected === null) return;
    const ps = session.runs[0]!.space.pageSize;
    range.bytesPerCell = ps / CELLS;
    range.lo = session.runs.map((_, j) => {
      const a = counterpart(j) ?? selected!.addr;
      return Math.floor(a / ps) * ps;
    });
    lifetimesKey = '';
    render();
  });
  $('life-run').addEventListener('change', () => {
    lifeRun = Number(($('life-run') as HTMLSelectElement).value);
    lifeRange = { lo: range.lo[lifeRun]!, span: span() };
    lifetimesKey = '';
    render();
  });
  const tl = $('timeline') as HTMLCanvasElement;
  let scrubbing = false;
  let pending: number | null = null;
  const scrub = (e: number): void => {
    if (pending === null) requestAnimationFrame(() => {
      if (pending !== null) seek(pending);
      pending = null;
    });
    pending = e;
  };
  tl.addEventListener('pointerdown', (ev) => {
    if (!session) return;
    scrubbing = true;
    tl.setPointerCapture(ev.pointerId);
    scrub(timelineEvent(ev));
  });
  tl.addEventListener('pointermove', (ev) => scrubbing && scrub(timelineEvent(ev)));
  tl.addEventListener('pointerup', () => (scrubbing = false));
  const lc = $('lifetimes') as HTMLCanvasElement;
  let start: { y: number; at: { event: number; addr: number } } | null = null;
  lc.addEventListener('pointerdown', (ev) => {
    if (!session) return;
    const rect = lc.getBoundingClientRect();
    start = { y: ev.clientY - rect.top, at: lifetimeAt(ev) };
    lc.setPointerCapture(ev.pointerId);
  });
  lc.addEventListener('pointermove', (ev) => {
    if (!session) return;
    const rect = lc.getBoundingClientRect();
    if (start) {
      brush = { y0: start.y, y1: ev.clientY - rect.top };
      drawLifetimesCursor();
      return;
    }
    const at = lifetimeAt(ev);
    const l = blockUnder(at.event, at.addr);
    const st = session.store;
    $('hover').textContent = l < 0 ? '' : `block of ${fmtInt(st.bytes[l]!)} bytes at ${hex(session.runs[lifeRun]!.ptrOf[l]!)}, events ${fmtInt(st.start[l]!)} → ${st.end[l] === st.count ? 'end' : fmtInt(st.end[l]!)}${st.lifeSite[l]! >= 0 ? `, site ${st.sites[st.lifeSite[l]!]}` : ''}`;
  });
  lc.addEventListener('pointerup', (ev) => {
    if (!session || !start) return;
    const end = lifetimeAt(ev);
    const rect = lc.getBoundingClientRect();
    const moved = Math.abs(ev.clientY - rect.top - start.y) > 6;
    const from = start.at;
    start = null;
    brush = null;
    if (moved) {
      const a = Math.min(from.addr, end.addr);
      const b = Math.max(from.addr, end.addr);
      setScale(Math.max(CELLS, b - a), lifeRun, (a + b) / 2);
      render();
      return;
    }
    const l = blockUnder(end.event, end.addr);
    if (l >= 0) {
      selected = { run: lifeRun, addr: session.runs[lifeRun]!.ptrOf[l]! };
      ($('address') as HTMLInputElement).value = hex(selected.addr);
      seek(Math.max(session.store.start[l]! + 1, Math.min(end.event, session.store.end[l]!)));
    } else seek(end.event);
  });
  window.addEventListener('resize', () => {
    timelineKey = '';
    lifetimesKey = '';
    render();
  });
  requestAnimationFrame(frame);
}

/** The first source: the query's workload, else config.js's. */
function firstSource(): SourceRequest | null {
  const w = query.get('w');
  if (w) return { kind: 'workload', name: w, seed: Number(query.get('seed') ?? 1), ops: Number(query.get('ops') ?? 20000) };
  const s = config.source;
  if (!s) return null;
  if (s.kind === 'embedded') return { kind: 'blob', blob: base64Blob(s.base64), name: s.name };
  if (s.kind === 'url') return { ...s, url: new URL(s.url, location.href).href };
  return s;
}

/** For the browser tests: the session, and a timed jump. */
(window as unknown as { heaplabExplore: unknown }).heaplabExplore = {
  get session() {
    return session;
  },
  ready: () => session !== null,
  jump(e: number): number {
    seek(e);
    return lastJumpMs;
  },
  select(run: number, addr: number): void {
    select(run, addr);
  },
};

wire();
const first = firstSource();
if (first) {
  if (first.kind === 'workload') {
    ($('workload') as HTMLSelectElement).value = first.name;
    ($('seed') as HTMLInputElement).value = String(first.seed);
    ($('ops') as HTMLInputElement).value = String(first.ops);
  }
  load(first).catch((e: unknown) => status(`error: ${e instanceof Error ? e.message : String(e)}`));
} else status('open a trace or load a workload');
