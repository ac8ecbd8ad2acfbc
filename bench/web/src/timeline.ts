/*
 * The timeline (live bytes as a grey area, each run's resident bytes as a line and its mapped
 * bytes dashed, the cursor in red; the series are drawn once and cached, the cursor over them),
 * the line naming the event just applied, and the metrics table at the cursor (M1–M4 over the
 * events so far, replay/metrics.ts defines them).
 */

import { EV_FREE, hex } from '@heaplab/core';
import { KIND_NAMES } from '../../src/explore/events.js';
import { $, RUN_COLOURS, canvasSize, escapeHtml, fmtBytes, fmtInt, fmtRatio, ui } from './state.js';


export function drawTimeline(): void {
  const s = ui.session!;
  const c = $('timeline') as HTMLCanvasElement;
  const { w, h, ctx } = canvasSize(c);
  const key = `${w}:${s.runs.length}:${s.events}`;
  const pad = { l: 64, r: 8, t: 8, b: 18 };
  const n = s.events;
  const x = (e: number): number => pad.l + (e / Math.max(1, n)) * (w - pad.l - pad.r);
  if (key !== ui.timelineKey || !ui.timelineCache) {
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
    ui.timelineCache = ctx.getImageData(0, 0, c.width, c.height);
    ui.timelineKey = key;
  } else ctx.putImageData(ui.timelineCache, 0, 0);
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

export function timelineEvent(ev: MouseEvent): number {
  const c = $('timeline') as HTMLCanvasElement;
  const rect = c.getBoundingClientRect();
  const f = (ev.clientX - rect.left - 64) / (rect.width - 72);
  return Math.round(Math.max(0, Math.min(1, f)) * ui.session!.events);
}

export function drawEventLine(): void {
  const s = ui.session!;
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

export function drawMetrics(): void {
  const s = ui.session!;
  const rows = s.runs.map((r, i) => {
    const m = s.metrics(i);
    const ps = r.space.pageSize;
    return `<tr><td><span class="swatch" style="background:${RUN_COLOURS[i]}"></span>${escapeHtml(r.spec.label)}</td><td>${fmtBytes(r.live[s.cursor]!)}</td><td>${fmtBytes(r.resident[s.cursor]! * ps)}</td><td>${fmtBytes(r.mapped[s.cursor]! * ps)}</td><td>${fmtInt(r.graph.live.size)}</td><td>${fmtRatio(m.m1)}</td><td>${fmtRatio(m.m2)}</td><td>${fmtRatio(m.m3)}</td><td>${fmtRatio(m.m4)}</td><td>${fmtInt(r.failures)}</td></tr>`;
  });
  $('metrics').innerHTML = `<tr><th>allocator</th><th>live</th><th>resident</th><th>mapped</th><th>live blocks</th><th title="mean resident / live over events so far">M1</th><th title="resident at peak live / peak live">M2</th><th title="peak resident / live at that event">M3</th><th title="peak resident / peak live">M4</th><th>failed</th></tr>${rows.join('')}`;
}
