import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { KernelError, MADV_DONTNEED, MAP_FIXED, MAP_FIXED_NOREPLACE, SegmentationFault, createAddressSpace, type AddressSpace } from '../../src/index.js';

/*
 * Model test: the same random calls on a flat 64 MiB space and on a paged 2^40 one, at addresses
 * OFFSET apart, give the same mappings, errors, bytes and figures. OFFSET puts the flat window's
 * 32 MiB mark on a page-table chunk boundary (256 MiB), so mappings cross chunks.
 */

const PAGE = 4096;
const MiB = 2 ** 20;
const LOW = 2 * MiB; // above both spaces' unmappable bottoms
const WINDOW = 60 * MiB;
const OFFSET = 2 ** 28 - 32 * MiB + 2 ** 36;

type Op =
  | { k: 'map'; page: number; pages: number; prot: number; noreplace: boolean }
  | { k: 'unmap' | 'dontneed'; page: number; pages: number }
  | { k: 'protect'; page: number; pages: number; prot: number }
  | { k: 'store' | 'load'; page: number; at: number; v: number };

const pageArb = fc.integer({ min: 0, max: (WINDOW - LOW) / PAGE - 1 });
const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ k: fc.constant('map' as const), page: pageArb, pages: fc.integer({ min: 1, max: 3000 }), prot: fc.integer({ min: 0, max: 3 }), noreplace: fc.boolean() }),
  fc.record({ k: fc.constantFrom('unmap' as const, 'dontneed' as const), page: pageArb, pages: fc.integer({ min: 1, max: 3000 }) }),
  fc.record({ k: fc.constant('protect' as const), page: pageArb, pages: fc.integer({ min: 1, max: 3000 }), prot: fc.integer({ min: 0, max: 3 }) }),
  fc.record({ k: fc.constantFrom('store' as const, 'load' as const), page: pageArb, at: fc.integer({ min: 0, max: PAGE - 1 }), v: fc.integer({ min: 1, max: 255 }) }),
);

/** Runs one op; returns what it gave: a value, or the error's kind. */
function run(s: AddressSpace, base: number, op: Op): string {
  const addr = base + LOW + op.page * PAGE;
  const len = 'pages' in op ? Math.min(op.pages * PAGE, base + WINDOW - addr) : 0;
  try {
    switch (op.k) {
      case 'map': return String(s.mmap(addr, len, op.prot, op.noreplace ? MAP_FIXED_NOREPLACE : MAP_FIXED) - base);
      case 'unmap': s.munmap(addr, len); return 'ok';
      case 'dontneed': s.madvise(addr, len, MADV_DONTNEED); return 'ok';
      case 'protect': s.mprotect(addr, len, op.prot); return 'ok';
      case 'store': s.store8(addr + op.at, op.v); return 'ok';
      case 'load': return String(s.load8(addr + op.at));
    }
  } catch (e) {
    if (e instanceof KernelError) return e.code;
    if (e instanceof SegmentationFault) return `segv ${e.address - base} ${e.access}`;
    throw e;
  }
}

test('random mmap, munmap, mprotect, DONTNEED, loads and stores agree between a flat and a paged space', () => {
  fc.assert(
    fc.property(fc.array(opArb, { minLength: 1, maxLength: 60 }), (ops) => {
      const flat = createAddressSpace({ size: 64 * MiB });
      const paged = createAddressSpace({ size: 2 ** 40 });
      for (const op of ops) {
        const a = run(flat, 0, op);
        const b = run(paged, OFFSET, op);
        if (a !== b) throw new Error(`${JSON.stringify(op)}: flat ${a}, paged ${b}`);
      }
      const view = (s: AddressSpace, base: number) => s.mappings().map((m) => `${m.start - base}-${m.end - base} ${m.prot}`).join(', ');
      assert.is(view(paged, OFFSET), view(flat, 0));
      const fs = flat.stats();
      const ps = paged.stats();
      assert.equal([ps.mapped, ps.committed, ps.resident], [fs.mapped, fs.committed, fs.resident]);
      assert.is(ps.frames!.inUse * PAGE, ps.resident);
      paged.frames!.check();
    }),
    { numRuns: 40, seed: 7 },
  );
});

test.run();
