// Every case of the misuse kit (MISUSE_CASES in @heaplab/core/testing) against each kernel allocator: what each detects.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { MISUSE_CASES, runMisuseCase, type MisuseOutcome } from '@heaplab/core/testing';
import type { AddressSpace, Allocator } from '@heaplab/core';
import { createBuddyAllocator, createKmallocAllocator, createVmallocAllocator } from '../src/index.js';

type Expect = string; // a detection code, or 'undetected'

const factories: Record<string, (s: AddressSpace) => Allocator> = {
  buddy: (s) => createBuddyAllocator(s),
  kmalloc: (s) => createKmallocAllocator(s),
  'kmalloc redZone poison': (s) => createKmallocAllocator(s, { redZone: true, poison: true }),
  vmalloc: (s) => createVmallocAllocator(s),
};

// What each allocator is expected to do with each case.
const expected: Record<string, Record<string, Expect>> = {
  buddy: {
    'double-free-small': 'double-free', 'double-free-large': 'double-free', 'double-free-small-delayed': 'double-free',
    'invalid-free-interior': 'invalid-free', 'invalid-free-unaligned': 'invalid-free', 'invalid-free-foreign': 'invalid-free', 'invalid-free-never-allocated': 'invalid-free',
    'overflow-small-1-byte': 'undetected', 'overflow-small-8-byte': 'undetected', 'overflow-small-1-byte-realloc': 'undetected', 'overflow-large': 'undetected',
    'read-after-free-large': 'undetected', 'write-after-free-large': 'undetected', 'write-after-free-small': 'undetected', 'access-size-0': 'undetected', 'size-mismatch-small': 'size-mismatch',
  },
  kmalloc: {
    'double-free-small': 'double-free', 'double-free-large': 'double-free', 'double-free-small-delayed': 'double-free',
    'invalid-free-interior': 'invalid-free', 'invalid-free-unaligned': 'invalid-free', 'invalid-free-foreign': 'invalid-free', 'invalid-free-never-allocated': 'invalid-free',
    'overflow-small-1-byte': 'undetected', 'overflow-small-8-byte': 'undetected', 'overflow-small-1-byte-realloc': 'undetected', 'overflow-large': 'undetected',
    'read-after-free-large': 'undetected', 'write-after-free-large': 'undetected', 'write-after-free-small': 'undetected', 'access-size-0': 'undetected', 'size-mismatch-small': 'size-mismatch',
  },
  'kmalloc redZone poison': {
    'double-free-small': 'double-free', 'double-free-large': 'double-free', 'double-free-small-delayed': 'double-free',
    'invalid-free-interior': 'invalid-free', 'invalid-free-unaligned': 'invalid-free', 'invalid-free-foreign': 'invalid-free', 'invalid-free-never-allocated': 'invalid-free',
    'overflow-small-1-byte': 'canary-corrupted', 'overflow-small-8-byte': 'canary-corrupted', 'overflow-small-1-byte-realloc': 'canary-corrupted', 'overflow-large': 'undetected',
    'read-after-free-large': 'undetected', 'write-after-free-large': 'undetected', 'write-after-free-small': 'write-after-free', 'access-size-0': 'undetected', 'size-mismatch-small': 'size-mismatch',
  },
  vmalloc: {
    'double-free-small': 'double-free', 'double-free-large': 'double-free', 'double-free-small-delayed': 'double-free',
    'invalid-free-interior': 'invalid-free', 'invalid-free-unaligned': 'invalid-free', 'invalid-free-foreign': 'invalid-free', 'invalid-free-never-allocated': 'invalid-free',
    'overflow-small-1-byte': 'segfault', 'overflow-small-8-byte': 'segfault', 'overflow-small-1-byte-realloc': 'segfault', 'overflow-large': 'segfault',
    'read-after-free-large': 'segfault', 'write-after-free-large': 'segfault', 'write-after-free-small': 'segfault', 'access-size-0': 'segfault', 'size-mismatch-small': 'size-mismatch',
  },
};

function outcome(o: MisuseOutcome): string {
  if (o.detected) return o.code;
  if (o.crashed !== null) return `crashed: ${o.crashed}`;
  return 'undetected';
}

for (const [name, factory] of Object.entries(factories)) {
  for (const [space, size] of [['64 MiB', 64 * 2 ** 20], ['2^47', 2 ** 47]] as const) {
    test(`${name} in a ${space} space detects what its design can detect in every misuse case, and crashes on none`, () => {
      const got: Record<string, string> = {};
      for (const c of MISUSE_CASES) got[c.name] = outcome(runMisuseCase(c, factory, size));
      assert.equal(got, expected[name]);
    });
  }
}

test.run();
