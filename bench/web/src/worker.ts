/*
 * The explorer's trace worker: reads one source off the page's thread and streams its events
 * back in chunks. A trace (from the server, or a file the user opened) is read as a stream;
 * gzip — found from its first two bytes, 1f 8b — is inflated with DecompressionStream; core's
 * TraceParser tells v1 text from binary and decodes. A built-in workload is generated here with
 * its seed and event count. Each chunk's typed arrays are transferred, not copied.
 */

import { TraceParser, type EventChunk } from '@heaplab/core';
import { browserWorkload } from '../../src/explore/browser-workloads.js';
import type { ChunkMessage, OpenMessage, SourceRequest, WorkerMessage } from './protocol.js';

const scope = self as unknown as { postMessage(m: WorkerMessage, transfer?: Transferable[]): void; onmessage: ((e: MessageEvent<OpenMessage>) => void) | null };

let sent = 0;
let bytesRead = 0;

function post(c: EventChunk): void {
  const n = c.count;
  const m: ChunkMessage = {
    type: 'chunk',
    count: n,
    kind: c.kind.slice(0, n),
    id: c.id.slice(0, n),
    size: c.size.slice(0, n),
    arg: c.arg.slice(0, n),
    site: c.site.slice(0, n),
    newSites: c.sites.slice(sent),
    program: c.program,
    bytesRead,
  };
  sent = c.sites.length;
  scope.postMessage(m, [m.kind.buffer, m.id.buffer, m.size.buffer, m.arg.buffer, m.site.buffer]);
}

async function stream(source: SourceRequest & { kind: 'url' | 'blob' }): Promise<ReadableStream<Uint8Array>> {
  if (source.kind === 'blob') return source.blob.stream();
  const r = await fetch(source.url);
  if (!r.ok || r.body === null) throw new Error(`${source.name}: the server answered ${r.status} ${r.statusText}`);
  return r.body;
}

/** The stream with gzip inflated when its first bytes say gzip. */
async function inflated(s: ReadableStream<Uint8Array>): Promise<ReadableStream<Uint8Array>> {
  const [peek, rest] = s.tee();
  const reader = peek.getReader();
  const first = await reader.read();
  void reader.cancel();
  const b = first.value ?? new Uint8Array(0);
  const counted = rest.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, out) {
        bytesRead += chunk.length;
        out.enqueue(chunk);
      },
    }),
  );
  return b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b ? counted.pipeThrough(new DecompressionStream('gzip') as unknown as TransformStream<Uint8Array, Uint8Array>) : counted;
}

async function open(source: SourceRequest): Promise<void> {
  sent = 0;
  bytesRead = 0;
  if (source.kind === 'workload') {
    let events = 0;
    for (const c of browserWorkload(source.name).events({ seed: source.seed, ops: source.ops, chunkEvents: 32768 })) {
      post(c);
      events += c.count;
    }
    scope.postMessage({ type: 'done', events, format: 'workload' });
    return;
  }
  const parser = new TraceParser(source.name, 32768);
  const reader = (await inflated(await stream(source))).getReader();
  let events = 0;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    for (const c of parser.push(value)) {
      post(c);
      events += c.count;
    }
  }
  for (const c of parser.end()) {
    post(c);
    events += c.count;
  }
  scope.postMessage({ type: 'done', events, format: parser.format ?? 'text' });
}

scope.onmessage = (e) => {
  open(e.data.source).catch((err: unknown) => scope.postMessage({ type: 'error', message: err instanceof Error ? err.message : String(err) }));
};
