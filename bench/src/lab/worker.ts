/*
 * The inside of an isolate (isolate.ts): a worker thread that replays with ONE allocator spec,
 * so the engine's call sites see one allocator class and keep their type feedback, and no other
 * allocator's heap or garbage shares this thread's V8 heap. It answers `run` messages, one at a
 * time, with the run's figures.
 *
 * State: the spec's factory (made once), and the prepared trace of the last source and window it
 * replayed (a source's runs come together, so one is kept; another source replaces it).
 * Every run gets a fresh address space (runReplay makes one).
 */

import { Session } from 'node:inspector/promises';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { parentPort, threadId, workerData } from 'node:worker_threads';
import { prepareReplay, runReplay, writeFileAtomicSync, type PreparedTrace, type RunOptions } from '@heaplab/core';
import { limitSource, openSource, type SourceSpec } from '../report/sources.js';
import type { AllocatorSpec } from './api.js';
import { specFactory, type SpecFactory } from './factory.js';
import type { PhysicalFigures } from '@heaplab/kernel';
import type { Allocator } from '@heaplab/core';

/** A request to the isolate. */
export interface RunRequest {
  id: number;
  source: SourceSpec;
  window: number | null;
  options: RunOptions;
  /** Write a CPU profile of this run to this file. */
  profile: string | null;
}

/** The isolate's answer. */
export type RunReply =
  | { id: number; ok: true; figures: Awaited<ReturnType<typeof runReplay>>; physical: PhysicalFigures | null; anomalies: PreparedTrace['anomalies']; program: string; resolved: ReturnType<SpecFactory['resolved']>; threadId: number; classes: string[] }
  | { id: number; ok: false; error: string };

const spec = (workerData as { spec: AllocatorSpec }).spec;
let factory: SpecFactory | null = null;
let loadError: string | null = null;
try {
  factory = await specFactory(spec);
} catch (e) {
  loadError = message(e);
}
let cached: { key: string; trace: PreparedTrace } | null = null;
// A full collection on demand: the flag is set before the function is looked up, as V8 requires.
setFlagsFromString('--expose-gc');
const collect = runInNewContext('gc') as () => void;
/** Constructor names of every allocator this thread made: one class (and its wrappers) per isolate. */
const classes = new Set<string>();

function message(e: unknown): string {
  return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
}

async function traceFor(source: SourceSpec, window: number | null): Promise<PreparedTrace> {
  const key = JSON.stringify([source, window]);
  if (cached?.key === key) return cached.trace;
  cached = null;
  const s = openSource(source);
  const trace = await prepareReplay(window === null ? s : limitSource(s, window));
  cached = { key, trace };
  return trace;
}

async function run(r: RunRequest): Promise<RunReply> {
  if (factory === null) return { id: r.id, ok: false, error: loadError ?? 'the allocator could not be made' };
  const f = factory;
  try {
    const trace = await traceFor(r.source, r.window);
    // Only an allocator with physical memory (the kernel family) is kept for its frames after the
    // run: holding any other one here made the next isolates' timed runs about twice as slow.
    const kept: { allocator: Allocator | null } = { allocator: null };
    const made = (space: Parameters<SpecFactory>[0]) => {
      const a = f(space);
      if (hasPhysical(a)) kept.allocator = a;
      for (const c of f.classes()) classes.add(c);
      return a;
    };
    let session: Session | null = null;
    if (r.profile !== null) {
      session = new Session();
      session.connect();
      await session.post('Profiler.enable');
      await session.post('Profiler.start');
    }
    const figures = await runReplay(trace, made, r.options);
    if (session !== null) {
      const { profile } = await session.post('Profiler.stop');
      writeFileAtomicSync(r.profile!, JSON.stringify(profile));
      session.disconnect();
    }
    // Collect this run's garbage (its space, its tables) now, so no isolate's collector runs
    // during another isolate's timed run.
    const physical = kept.allocator === null ? null : physicalOfLeaf(kept.allocator);
    kept.allocator = null;
    collect();
    return { id: r.id, ok: true, figures, physical, anomalies: trace.anomalies, program: trace.program, resolved: f.resolved(), threadId, classes: [...classes] };
  } catch (e) {
    return { id: r.id, ok: false, error: message(e) };
  }
}

/** True when the allocator, or one under its wrappers, reports physical memory (the kernel family). */
function hasPhysical(a: Allocator): boolean {
  for (let x: Allocator | undefined = a; x !== undefined; x = (x as { inner?: Allocator }).inner) {
    if (typeof (x as { physical?: unknown }).physical === 'function') return true;
  }
  return false;
}

/** The physical-memory figures of the allocator under any wrappers (kernel family), else null. */
function physicalOfLeaf(a: Allocator): PhysicalFigures | null {
  let x: Allocator = a;
  for (;;) {
    const f = (x as { physical?: () => PhysicalFigures }).physical;
    if (typeof f === 'function') return f.call(x);
    const inner = (x as { inner?: Allocator }).inner;
    if (inner === undefined) return null;
    x = inner;
  }
}

// One run at a time: the main thread sends the next request only after this one's answer.
parentPort!.on('message', (r: RunRequest) => {
  void run(r).then((reply) => parentPort!.postMessage(reply));
});
parentPort!.postMessage({ ready: true, threadId, loadError });
