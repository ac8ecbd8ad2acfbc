/*
 * Reading a source in the trace worker: the worker's code is bundled into the page as a string
 * (bundle.ts) and started from a Blob URL, so it runs from file:// too. Chunks arrive as columns
 * and go into a fresh EventStore; sites come as the additions to the reader's growing table.
 */

import { EventStore } from '../../src/explore/events.js';
import type { SourceRequest, WorkerMessage } from './protocol.js';
import { fmtBytes, fmtInt, status } from './state.js';

declare const __WORKER_SOURCE__: string;

export function worker(): Worker {
  const url = URL.createObjectURL(new Blob([__WORKER_SOURCE__], { type: 'text/javascript' }));
  return new Worker(url);
}

export function base64Blob(b64: string): Blob {
  const bin = atob(b64);
  const b = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) b[i] = bin.charCodeAt(i);
  return new Blob([b]);
}

/** Reads a source through the worker into a fresh EventStore. */
export function read(source: SourceRequest): Promise<EventStore> {
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
