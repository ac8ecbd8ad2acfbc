// Worker entry: registers tsx's loader in this thread (module hooks do not reach workers in
// Node 20), then runs the TypeScript worker named in workerData.entry.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);
