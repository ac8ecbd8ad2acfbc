/*
 * Isolates: one worker thread per allocator spec of a plan (worker.ts is its inside), so each
 * allocator's runs happen in a V8 isolate of their own, as the native driver's runs happen in a
 * process of their own. In one shared isolate the engine's call sites see several allocator
 * classes and lose their type feedback, and every allocator's time then depends on which others
 * ran before it.
 *
 * The main thread sends one request at a time to one isolate (runs are interleaved across
 * isolates, never concurrent), so the machine runs one replay at a time and the process-wide
 * page-fault counters the engine reads belong to that replay. Idle isolates wait on their
 * message port and do no work.
 *
 * Under tsx (tests run the sources) the worker is the .ts file, started through tsx's loader;
 * built, it is worker.js beside this file.
 */

import { Worker, type WorkerOptions } from 'node:worker_threads';
import type { RunFigures, TraceAnomalies } from '@heaplab/core';
import type { AllocatorSpec } from './api.js';
import type { RunReply, RunRequest } from './worker.js';
import type { PhysicalFigures } from '@heaplab/kernel';

type Figures = RunFigures & { allocator: string; allocatorName: string };

/** What an isolate's run gives. */
export interface IsolateRun {
  figures: Figures;
  anomalies: TraceAnomalies;
  /** Page frames of a kernel-family allocator after the run, else null. */
  physical: PhysicalFigures | null;
  program: string;
  resolved: { parameters: Record<string, unknown>; wrappers: { name: string; options: Record<string, unknown> }[] };
  threadId: number;
  /** Constructor names of every allocator instance the isolate has made so far. */
  classes: string[];
}

/** Starts the worker: worker.js when built; under tsx (tests run the sources) worker.ts through tsx's loader. */
function startWorker(url: URL, options: WorkerOptions): Worker {
  if (!url.pathname.endsWith('.ts')) return new Worker(url, options);
  const api = import.meta.resolve('tsx/esm/api');
  const bootstrap = `import(${JSON.stringify(api)}).then((m) => { m.register(); return import(${JSON.stringify(url.href)}); });`;
  return new Worker(bootstrap, { ...options, eval: true });
}

/** One allocator spec's isolate. */
export class Isolate {
  readonly spec: AllocatorSpec;
  private readonly worker: Worker;
  private readonly ready: Promise<void>;
  private pending: { id: number; resolve: (r: RunReply) => void; reject: (e: Error) => void } | null = null;
  private nextId = 1;
  private failure: Error | null = null;
  threadId = -1;

  constructor(spec: AllocatorSpec) {
    this.spec = spec;
    const url = new URL(import.meta.url.endsWith('.ts') ? './worker.ts' : './worker.js', import.meta.url);
    this.worker = startWorker(url, { workerData: { spec } });
    this.ready = new Promise((resolve, reject) => {
      const onMessage = (m: { ready?: boolean; threadId?: number } | RunReply): void => {
        if ('ready' in m && m.ready) {
          this.threadId = m.threadId ?? -1;
          resolve();
          return;
        }
        const p = this.pending;
        if (p && 'id' in m && m.id === p.id) {
          this.pending = null;
          p.resolve(m);
        }
      };
      this.worker.on('message', onMessage);
      this.worker.on('error', (e) => {
        this.failure = e;
        reject(e);
        this.pending?.reject(e);
        this.pending = null;
      });
      this.worker.on('exit', (code) => {
        const e = this.failure ?? new Error(`the isolate of ${spec.spec} exited (code ${code})`);
        this.failure = e;
        reject(e);
        this.pending?.reject(e);
        this.pending = null;
      });
    });
    // A rejection nobody awaits yet (the isolate died before its first run) is not unhandled.
    this.ready.catch(() => {});
  }

  /** Replays once; throws with the allocator's error when the run failed. */
  async run(request: Omit<RunRequest, 'id'>): Promise<IsolateRun> {
    await this.ready;
    if (this.failure) throw this.failure;
    if (this.pending) throw new Error(`isolate ${this.spec.spec}: a run is already in progress`);
    const id = this.nextId++;
    const reply = await new Promise<RunReply>((resolve, reject) => {
      this.pending = { id, resolve, reject };
      this.worker.postMessage({ ...request, id } satisfies RunRequest);
    });
    if (!reply.ok) throw new Error(reply.error);
    return { figures: reply.figures, physical: reply.physical, anomalies: reply.anomalies, program: reply.program, resolved: reply.resolved, threadId: reply.threadId, classes: reply.classes };
  }

  /** Ends the worker. */
  async close(): Promise<void> {
    this.worker.removeAllListeners('exit');
    await this.worker.terminate();
  }
}
