import { test } from 'uvu';
import { conformanceChecks } from '@heaplab/core/testing';
import { createBuddyAllocator, createKmallocAllocator, createVmallocAllocator } from '../src/index.js';

// alloc_pages serves at most 2^maxOrder pages (4 MiB): buddy and kmalloc are asked 4 MiB after a fill, not 8.
const pagesCap = { recoveryRequests: [200 * 1024, 4 * 2 ** 20] };

for (const c of conformanceChecks((s) => createBuddyAllocator(s), { name: 'buddy', ...pagesCap })) test(`buddy: ${c.name}`, c.run);
for (const c of conformanceChecks((s) => createKmallocAllocator(s), { name: 'kmalloc', ...pagesCap })) test(`kmalloc: ${c.name}`, c.run);
for (const c of conformanceChecks((s) => createKmallocAllocator(s, { redZone: true, poison: true }), { name: 'kmalloc redZone poison', ...pagesCap })) test(`kmalloc redZone poison: ${c.name}`, c.run);
for (const c of conformanceChecks((s) => createVmallocAllocator(s), { name: 'vmalloc' })) test(`vmalloc: ${c.name}`, c.run);

test.run();
