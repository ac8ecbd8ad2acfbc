/*
 * The explorer's page: wires the model (bench/src/explore: EventStore, Session, heapCells) to
 * plain DOM and canvas. Configuration (config.js, then the URL's query) → a source read by the
 * trace worker (read.ts) → a Session prepared over one to four allocators → the views, each
 * redrawn from the cursor by render(): the timeline and metrics (timeline.ts), a heap map per run
 * and the ownership panel (maps.ts), the block lifetimes (lifetimes.ts). Shared state lives in
 * state.ts's `ui`. `window.heaplabExplore` exposes the session and timed jumps to the browser
 * tests.
 */

import { hex } from '@heaplab/core';
import { Session } from '../../src/explore/session.js';
import { runSpec } from '../../src/explore/specs.js';
import { WORKLOADS } from '../../src/explore/browser-workloads.js';
import type { SourceRequest } from './protocol.js';
import { $, CELLS, escapeHtml, fmtBytes, fmtInt, status, ui } from './state.js';
import { base64Blob, read } from './read.js';
import { drawEventLine, drawMetrics, drawTimeline, timelineEvent } from './timeline.js';
import { buildMaps, counterpart, drawMaps, drawOwners, fitRange, select, setScale, span, spaceSize, zoom } from './maps.js';
import { blockUnder, drawLifetimesCursor, lifetimeAt } from './lifetimes.js';

/** What the CLI writes into config.js. */
interface PageConfig {
  source?: SourceRequest | { kind: 'embedded'; name: string; base64: string };
  allocators?: string[];
  configured?: Record<string, Record<string, unknown>>;
  spaceMib?: number;
}

const config: PageConfig = (window as unknown as { HEAPLAB_EXPLORE?: PageConfig }).HEAPLAB_EXPLORE ?? {};
const query = new URLSearchParams(location.search);

export function specs(): string[] {
  return [0, 1, 2, 3].map((i) => ($(`a${i}`) as HTMLInputElement).value.trim()).filter((s) => s !== '');
}

export async function load(source: SourceRequest): Promise<void> {
  ui.playing = false;
  ui.sourceName = source.name;
  $('source-name').textContent = source.kind === 'workload' ? `${source.name}(seed=${source.seed}, ops=${source.ops})` : source.name;
  ui.store = await read(source);
  await prepare();
}

export async function prepare(): Promise<void> {
  if (ui.store === null) return;
  const texts = specs();
  if (texts.length === 0) throw new Error('give at least one allocator');
  const made = texts.map((t) => runSpec(t, config.configured ?? {}));
  ui.store.analyse();
  const spaceMib = Number(query.get('space') ?? config.spaceMib ?? 4096);
  const s = new Session(ui.store, made, { spaceBytes: spaceMib * 2 ** 20 });
  const t0 = performance.now();
  await s.prepare(async (run, event) => {
    status(`running ${made[run]!.label}: event ${fmtInt(event)} of ${fmtInt(ui.store!.count)}`);
    await new Promise((r) => setTimeout(r, 0));
  });
  const kept = s.runs.reduce((n, r) => n + r.checkpoints.reduce((m, c) => m + c.bytes, 0), 0);
  status(`${fmtInt(ui.store.count)} events × ${made.length} allocator${made.length > 1 ? 's' : ''} in ${((performance.now() - t0) / 1000).toFixed(2)} s; checkpoints every ${fmtInt(s.every)} events, ${fmtBytes(kept)}`);
  ui.session = s;
  const life = $('life-run') as HTMLSelectElement;
  life.innerHTML = s.runs.map((r, i) => `<option value="${i}">${i + 1}: ${escapeHtml(r.spec.label)}</option>`).join('');
  ($('address-run') as HTMLSelectElement).innerHTML = life.innerHTML;
  ui.selected = null;
  ui.lifeRun = 0;
  buildMaps();
  fitRange();
  seek(s.events);
}

export function seek(e: number): void {
  if (!ui.session) return;
  const t = Math.max(0, Math.min(ui.session.events, Math.round(e)));
  const t0 = performance.now();
  ui.session.seek(t);
  ui.lastJumpMs = performance.now() - t0;
  ($('event') as HTMLInputElement).value = String(t);
  render();
}

export function render(): void {
  if (!ui.session) return;
  drawTimeline();
  drawEventLine();
  drawMetrics();
  drawMaps();
  drawOwners();
  drawLifetimesCursor();
  $('jump').textContent = Number.isFinite(ui.lastJumpMs) ? `moved in ${ui.lastJumpMs.toFixed(1)} ms` : '';
}

export function frame(): void {
  if (ui.playing && ui.session) {
    const speed = Number(($('speed') as HTMLSelectElement).value);
    if (ui.session.cursor >= ui.session.events) ui.playing = false;
    else seek(ui.session.cursor + speed);
  }
  $('play').textContent = ui.playing ? '⏸ pause' : '▶ play';
  requestAnimationFrame(frame);
}

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
    if (ui.session && ui.session.cursor >= ui.session.events) seek(0);
    ui.playing = !ui.playing;
  });
  $('step').addEventListener('click', () => ui.session && seek(ui.session.cursor + 1));
  $('back').addEventListener('click', () => ui.session && seek(ui.session.cursor - 1));
  $('next-kind').addEventListener('click', () => {
    if (!ui.session) return;
    const e = ui.session.nextOfKind(ui.session.cursor, Number(($('kind') as HTMLSelectElement).value));
    if (e >= 0) seek(e);
    else status('no such event after the cursor');
  });
  $('peak-live').addEventListener('click', () => ui.session && seek(ui.session.metrics(0, ui.session.events).peakLiveEvent));
  $('peak-resident').addEventListener('click', () => ui.session && seek(ui.session.metrics(0, ui.session.events).peakResidentEvent));
  $('go').addEventListener('click', () => seek(Number(($('event') as HTMLInputElement).value)));
  $('event').addEventListener('keydown', (ev) => (ev as KeyboardEvent).key === 'Enter' && seek(Number(($('event') as HTMLInputElement).value)));
  const point = (): void => {
    const t = ($('address') as HTMLInputElement).value.trim();
    const a = t.startsWith('0x') ? Number.parseInt(t.slice(2), 16) : Number(t);
    if (!Number.isInteger(a) || a < 0 || !ui.session || a >= spaceSize()) {
      status(`not an address: ${t}`);
      return;
    }
    const run = Number(($('address-run') as HTMLSelectElement).value);
    ui.selected = { run, addr: a };
    if (a < ui.range.lo[run]! || a >= ui.range.lo[run]! + span()) setScale(span(), run, a);
    render();
  };
  $('point').addEventListener('click', point);
  $('address').addEventListener('keydown', (ev) => (ev as KeyboardEvent).key === 'Enter' && point());
  $('z-all').addEventListener('click', () => {
    if (!ui.session) return;
    ui.range = { bytesPerCell: spaceSize() / CELLS, lo: ui.session.runs.map(() => 0) };
    ui.lifetimesKey = '';
    render();
  });
  $('z-fit').addEventListener('click', () => ui.session && (fitRange(), render()));
  $('z-in').addEventListener('click', () => ui.session && (ui.selected ? zoom(4, ui.selected.run, ui.selected.addr) : zoom(4, 0, ui.range.lo[0]! + span() / 2)));
  $('z-out').addEventListener('click', () => ui.session && zoom(0.25, 0, ui.range.lo[0]! + span() / 2));
  $('z-page').addEventListener('click', () => {
    if (!ui.session || ui.selected === null) return;
    const ps = ui.session.runs[0]!.space.pageSize;
    ui.range.bytesPerCell = ps / CELLS;
    ui.range.lo = ui.session.runs.map((_, j) => {
      const a = counterpart(j) ?? ui.selected!.addr;
      return Math.floor(a / ps) * ps;
    });
    ui.lifetimesKey = '';
    render();
  });
  $('life-run').addEventListener('change', () => {
    ui.lifeRun = Number(($('life-run') as HTMLSelectElement).value);
    ui.lifeRange = { lo: ui.range.lo[ui.lifeRun]!, span: span() };
    ui.lifetimesKey = '';
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
    if (!ui.session) return;
    scrubbing = true;
    tl.setPointerCapture(ev.pointerId);
    scrub(timelineEvent(ev));
  });
  tl.addEventListener('pointermove', (ev) => scrubbing && scrub(timelineEvent(ev)));
  tl.addEventListener('pointerup', () => (scrubbing = false));
  const lc = $('lifetimes') as HTMLCanvasElement;
  let start: { y: number; at: { event: number; addr: number } } | null = null;
  lc.addEventListener('pointerdown', (ev) => {
    if (!ui.session) return;
    const rect = lc.getBoundingClientRect();
    start = { y: ev.clientY - rect.top, at: lifetimeAt(ev) };
    lc.setPointerCapture(ev.pointerId);
  });
  lc.addEventListener('pointermove', (ev) => {
    if (!ui.session) return;
    const rect = lc.getBoundingClientRect();
    if (start) {
      ui.brush = { y0: start.y, y1: ev.clientY - rect.top };
      drawLifetimesCursor();
      return;
    }
    const at = lifetimeAt(ev);
    const l = blockUnder(at.event, at.addr);
    const st = ui.session.store;
    $('hover').textContent = l < 0 ? '' : `block of ${fmtInt(st.bytes[l]!)} bytes at ${hex(ui.session.runs[ui.lifeRun]!.ptrOf[l]!)}, events ${fmtInt(st.start[l]!)} → ${st.end[l] === st.count ? 'end' : fmtInt(st.end[l]!)}${st.lifeSite[l]! >= 0 ? `, site ${st.sites[st.lifeSite[l]!]}` : ''}`;
  });
  lc.addEventListener('pointerup', (ev) => {
    if (!ui.session || !start) return;
    const end = lifetimeAt(ev);
    const rect = lc.getBoundingClientRect();
    const moved = Math.abs(ev.clientY - rect.top - start.y) > 6;
    const from = start.at;
    start = null;
    ui.brush = null;
    if (moved) {
      const a = Math.min(from.addr, end.addr);
      const b = Math.max(from.addr, end.addr);
      setScale(Math.max(CELLS, b - a), ui.lifeRun, (a + b) / 2);
      render();
      return;
    }
    const l = blockUnder(end.event, end.addr);
    if (l >= 0) {
      ui.selected = { run: ui.lifeRun, addr: ui.session.runs[ui.lifeRun]!.ptrOf[l]! };
      ($('address') as HTMLInputElement).value = hex(ui.selected.addr);
      seek(Math.max(ui.session.store.start[l]! + 1, Math.min(end.event, ui.session.store.end[l]!)));
    } else seek(end.event);
  });
  window.addEventListener('resize', () => {
    ui.timelineKey = '';
    ui.lifetimesKey = '';
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

/** For the browser tests: the ui.session, and a timed jump. */
(window as unknown as { heaplabExplore: unknown }).heaplabExplore = {
  get session() {
    return ui.session;
  },
  ready: () => ui.session !== null,
  jump(e: number): number {
    seek(e);
    return ui.lastJumpMs;
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
