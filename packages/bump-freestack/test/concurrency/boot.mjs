// Worker entry: registers tsx's loader in this thread (hooks do not reach workers in Node 20),
// then runs the TypeScript worker.
import { register } from 'tsx/esm/api';

register();
await import('./worker.ts');
