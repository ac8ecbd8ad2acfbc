/*
 * Workers for tests and scripts written in TypeScript. Node's worker_threads do not inherit the
 * tsx loader that runs the tests, so a `.ts` worker is started from a small bootstrap that
 * registers tsx in the worker first and then imports the file. Compiled `.js` workers start as
 * usual. Options are passed through to the Worker.
 */

import { Worker, type WorkerOptions } from 'node:worker_threads';

/** Starts a worker from a module URL, `.ts` (through tsx) or `.js`. */
export function startWorker(url: URL, options: WorkerOptions = {}): Worker {
  if (!url.pathname.endsWith('.ts')) return new Worker(url, options);
  let api: string;
  try {
    api = import.meta.resolve('tsx/esm/api');
  } catch {
    throw new Error(`cannot start the TypeScript worker ${url.pathname}: the tsx package is not installed`);
  }
  const bootstrap = `import(${JSON.stringify(api)}).then((m) => { m.register(); return import(${JSON.stringify(url.href)}); });`;
  return new Worker(bootstrap, { ...options, eval: true });
}
