/*
 * A wrapper is itself an allocator: each one, and all four stacked, pass the conformance kit
 * around core's tiny test allocator (bench runs the same around mmap-pages). Runs are a tenth
 * of the configured fuzz runs: the wrappers delegate, the allocator under them is tested apart.
 */
import { test } from 'uvu';
import { conformanceChecks, fuzzRuns } from '../../src/testing/index.js';
import { createCheckingAllocator, createLockedAllocator, createStatsAllocator, createTracingAllocator, type AddressSpace, type Allocator } from '../../src/index.js';
import { TinyAllocator } from '../fixtures/tiny-allocator.js';

const runs = Math.max(20, Math.ceil(fuzzRuns() / 10));
const tiny = (s: AddressSpace): Allocator => new TinyAllocator(s, 'none', 48 * 2 ** 20);
const FACTORIES: Record<string, (s: AddressSpace) => Allocator> = {
  tracing: (s) => createTracingAllocator(tiny(s), { sites: 'stack' }),
  checking: (s) => createCheckingAllocator(tiny(s)),
  stats: (s) => createStatsAllocator(tiny(s)),
  locked: (s) => createLockedAllocator(tiny(s)),
  'tracing+checking+stats+locked': (s) => createTracingAllocator(createCheckingAllocator(createStatsAllocator(createLockedAllocator(tiny(s))))),
};

for (const [name, f] of Object.entries(FACTORIES)) {
  for (const c of conformanceChecks(f, { name, runs, oomSpaceSize: 8 * 2 ** 20 })) test(`${name}: ${c.name}`, c.run);
}

test.run();
