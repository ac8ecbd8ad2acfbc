/*
 * The DI example (root README, "Picking an allocator by DI token"): a user's class asks for an
 * allocator with @inject(ALLOCATOR) and gets the configured one — which allocator, its
 * parameters and the wrapper stack come from heaplab.config.json and HEAPLAB_ variables, not
 * from the code. Run it with `node bench/dist/di-example.js` (or under tsx); a bench test runs it.
 *
 * Import order matters: each package's `register` module loads reflect-metadata, which tsyringe
 * needs before it is first imported. Tokens are explicit (@inject(ALLOCATOR)): esbuild and tsx
 * emit no decorator metadata to infer them from.
 */

import { register as registerDlmalloc } from '@heaplab/dlmalloc-style/register';
import { register as registerMmapPages } from '@heaplab/mmap-pages/register';
import { container, inject, injectable } from 'tsyringe';
import { ALLOCATOR, configureContainer, whoOwns, type Allocator, type LoadOptions } from '@heaplab/core';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A user's class: strings kept in simulated memory, one block each (length in the first 4 bytes). */
@injectable()
export class StringStore {
  constructor(@inject(ALLOCATOR) readonly heap: Allocator) {}

  /** Stores a string; returns its pointer. */
  put(text: string): number {
    const bytes = encoder.encode(text);
    const p = this.heap.malloc(4 + bytes.length);
    if (p === 0) throw new RangeError('out of memory');
    this.heap.space.store32(p, bytes.length);
    this.heap.space.write(p + 4, bytes);
    return p;
  }

  get(p: number): string {
    return decoder.decode(this.heap.space.read(p + 4, this.heap.space.load32(p)));
  }

  drop(p: number): void {
    this.heap.free(p);
  }
}

/** Runs the example in a fresh child container; returns what it printed. */
export async function runDiExample(options: Omit<LoadOptions, 'registry'> = {}): Promise<string> {
  const c = container.createChildContainer();
  registerMmapPages(c);
  registerDlmalloc(c, { default: true }); // the default unless configuration names another
  await configureContainer(c, options); // async: reads the file and imports custom allocators
  const store = c.resolve(StringStore); // synchronous from here on
  const hello = store.put('hello, heap');
  const world = store.put('world');
  const lines = [
    `allocator: ${store.heap.identity.label} (${store.heap.identity.family})`,
    `stored "${store.get(hello)}" at 0x${hello.toString(16)} and "${store.get(world)}" at 0x${world.toString(16)}`,
    `who owns 0x${(hello + 6).toString(16)}? ${whoOwns(store.heap.space, hello + 6).text}`,
  ];
  store.drop(hello);
  store.drop(world);
  lines.push(`live blocks after dropping both: ${store.heap.stats().liveBlocks}`);
  return lines.join('\n') + '\n';
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/^.*[\\/]/, '/'))) {
  runDiExample().then((out) => process.stdout.write(out), (e: unknown) => {
    process.stderr.write(`${(e as Error).message}\n`);
    process.exit(1);
  });
}
