// The conformance suite of @heaplab/core/testing, with each placement policy (and with safe-linking); check() after every step.
import { test } from 'uvu';
import { conformanceChecks } from '@heaplab/core/testing';
import { createDlmallocAllocator, type PlacementPolicy } from '../src/index.js';

for (const policy of ['best-fit', 'first-fit', 'next-fit'] as PlacementPolicy[]) {
  for (const c of conformanceChecks((space) => createDlmallocAllocator(space, { policy }), { name: `dlmalloc-style ${policy}` })) {
    test(`conformance (${policy}): ${c.name}`, c.run);
  }
}

// Over a WebAssembly.Memory (views are remade when it grows), with fewer runs.
for (const c of conformanceChecks((space) => createDlmallocAllocator(space), { name: 'dlmalloc-style wasm', backing: 'wasm', runs: 200 })) {
  test(`conformance (best-fit, wasm memory): ${c.name}`, c.run);
}

// With safe-linking (mangled tcache links, verified bin links), best fit and first fit.
for (const policy of ['best-fit', 'first-fit'] as PlacementPolicy[]) {
  for (const c of conformanceChecks((space) => createDlmallocAllocator(space, { policy, safeLinking: true }), { name: `dlmalloc-style ${policy} safe-linking`, runs: 250 })) {
    test(`conformance (${policy}, safe-linking): ${c.name}`, c.run);
  }
}

test.run();
