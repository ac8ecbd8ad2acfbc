/*
 * check() of the zoned-classes allocator: walks every structure and throws HeapCorruption
 * naming the first thing wrong.
 *
 * Per class: the partial, empty and decommitted lists (states, back links, counts, no cycle);
 * every slab record up to the next never-used one: live = |used bits|, held = |quarantine bits|,
 * used ∧ quarantine = 0, no bit past the last slot, the state agrees with live + held and the
 * slab's pages have the protection its state calls for (a guard slab after it stays PROT_NONE);
 * every live slot's canary is intact and its requested size fits; with zeroOnFree every free or
 * quarantined slot still reads zero (a non-zero byte there is a write after free); the records
 * of used slabs lie in writable metadata pages; the quarantine holds exactly the slots whose
 * quarantine bit is set. Then the large table (large.ts) and the counters against the sums.
 */

import { HeapCorruption, PROT_NONE, PROT_READ, PROT_WRITE, hex } from '@heaplab/core';
import { RECORD_HEADER, R_ADDR, R_HINT, R_CANARY0, R_CANARY1, R_HELD, R_LIVE, R_NEXT, R_PREV, R_STATE, STATE_NAMES, S_DECOMMITTED, S_EMPTY, S_FULL, S_NEVER, S_PARTIAL } from './layout.js';
import type { ZonedAllocator } from './zoned.js';

const RW = PROT_READ | PROT_WRITE;

function popcount(x: number): number {
  x = x - ((x >>> 1) & 0x55555555);
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (Math.imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24);
}

export function checkZoned(a: ZonedAllocator): void {
  const fail = (what: string): never => {
    throw new HeapCorruption(a.identity.label, what);
  };
  const space = a.space;
  const mem = space.raw;
  let blocks = 0;
  let bytes = 0;
  let usableSum = 0;
  for (let c = 0; c < a.classes.length; c++) {
    const R = a.recordOf[c]!;
    const W = a.wordsOf[c]!;
    const n = a.slotsOf[c]!;
    const s = a.slotSize[c]!;
    const usable = a.usableOf[c]!;
    const sb = a.slabBytes[c]!;
    const fresh = a.nextFresh[c]!;
    const rec = (i: number): number => a.metaBase[c]! + i * R;
    const name = (i: number): string => `class ${c} (${s}-byte slots) slab ${i} at ${hex(a.slabAddr(c, i))}`;
    if (fresh < 0 || fresh > a.slabCount[c]!) fail(`class ${c}: next never-used slab ${fresh} is outside 0 … ${a.slabCount[c]}`);

    // Lists.
    const walk = (head: number, state: number, list: string, doubly: boolean): number => {
      let count = 0;
      let prev = -1;
      for (let i = head; i >= 0; i = a.mr(rec(i) + R_NEXT)) {
        if (i >= fresh) fail(`class ${c}: the ${list} list reaches slab ${i}, which was never used`);
        if (++count > fresh) fail(`class ${c}: the ${list} list has a cycle`);
        if (a.mr(rec(i) + R_STATE) !== state) fail(`${name(i)} is on the ${list} list but its state is ${STATE_NAMES[a.mr(rec(i) + R_STATE)] ?? a.mr(rec(i) + R_STATE)}`);
        if (doubly && a.mr(rec(i) + R_PREV) !== prev) fail(`${name(i)}: back link ${a.mr(rec(i) + R_PREV)}, expected ${prev}`);
        prev = i;
      }
      return count;
    };
    const partial = walk(a.partialHead[c]!, S_PARTIAL, 'partial', true);
    const empty = walk(a.emptyHead[c]!, S_EMPTY, 'empty', false);
    if (empty !== a.emptyCount[c]) fail(`class ${c}: ${empty} slabs on the empty list, the count says ${a.emptyCount[c]}`);
    const listed = walk(a.freeHead[c]!, S_DECOMMITTED, 'decommitted', false);
    if (listed > 0 && a.mr(rec(a.freeTail[c]!) + R_NEXT) !== -1) fail(`class ${c}: the decommitted list's tail is not its last slab`);
    const waiting = a.slabQuarantines[c]!.entries();
    for (const k of waiting) {
      if (k - 1 >= fresh || a.mr(rec(k - 1) + R_STATE) !== S_DECOMMITTED) fail(`${name(k - 1)} is in the free-slab quarantine but is not decommitted`);
      for (let i = a.freeHead[c]!; i >= 0; i = a.mr(rec(i) + R_NEXT)) if (i === k - 1) fail(`${name(i)} is both in the free-slab quarantine and on the decommitted list`);
    }
    const decommitted = listed + waiting.length;

    // Slabs.
    let heldSum = 0;
    const counts = [0, 0, 0, 0, 0];
    for (let i = 0; i < fresh; i++) {
      const r = rec(i);
      const st = a.mr(r + R_STATE);
      if (st === S_NEVER || st > S_DECOMMITTED) fail(`${name(i)}: state ${st} for a slab below the next never-used one`);
      counts[st]!++;
      let live = 0;
      let held = 0;
      for (let w = 0; w < W; w++) {
        const u = a.mr(r + RECORD_HEADER + w);
        const q = a.mr(r + RECORD_HEADER + W + w);
        if (u & q) fail(`${name(i)}: slot ${w * 32 + 31 - Math.clz32(u & q & -(u & q))} is both in use and in quarantine`);
        const d = a.mr(r + RECORD_HEADER + 2 * W + w);
        if ((u | q) & ~d) fail(`${name(i)}: a slot in use or in quarantine is not marked as handed out (dirty bitmap)`);
        const valid = w === W - 1 ? a.lastMask[c]! : -1;
        if ((u | q) & ~valid) fail(`${name(i)}: a bitmap bit past its ${n} slots is set`);
        if (!a.options.slotRandomize && w < a.mr(r + R_HINT) && ((u | q) & valid) !== valid) fail(`${name(i)}: word ${w} has a free slot but the first-free hint is word ${a.mr(r + R_HINT)}`);
        live += popcount(u);
        held += popcount(q);
      }
      if (live !== a.mr(r + R_LIVE) || held !== a.mr(r + R_HELD)) fail(`${name(i)}: bitmaps hold ${live} live / ${held} quarantined slots, the record says ${a.mr(r + R_LIVE)} / ${a.mr(r + R_HELD)}`);
      const occ = live + held;
      const want = occ === 0 ? [S_EMPTY, S_DECOMMITTED] : occ === n ? [S_FULL] : [S_PARTIAL];
      if (!want.includes(st)) fail(`${name(i)}: ${live} live and ${held} quarantined of ${n} slots, but its state is ${STATE_NAMES[st]}`);
      heldSum += held;
      const base = a.slabAddr(c, i);
      if (a.mr(r + R_ADDR) >>> 0 !== base % 2 ** 32) fail(`${name(i)}: the record says the slab is at ${hex(a.mr(r + R_ADDR) >>> 0)} (low 32 bits)`);
      const prot = c === 0 || st === S_DECOMMITTED ? PROT_NONE : RW;
      for (let p = base; p < base + sb; p += space.pageSize) {
        if (space.protAt(p) !== prot || space.ownerIndexAt(p) !== a.ownerIndex) fail(`${name(i)}: page ${hex(p)} has protection ${space.protAt(p)} and owner ${space.ownerIndexAt(p)}, expected ${prot} and ${a.ownerIndex}`);
      }
      const next = base + sb;
      const pos = i + Math.floor(i / a.guardInterval);
      if ((pos + 1) % (a.guardInterval + 1) === a.guardInterval && space.protAt(next) !== PROT_NONE) fail(`${name(i)}: the guard slab after it at ${hex(next)} is accessible`);
      if (c === 0 || st === S_DECOMMITTED) {
        blocks += live;
        continue;
      }
      // Slots.
      for (let j = 0; j < n; j++) {
        const slot = base + j * s;
        const bit = 1 << (j & 31);
        if (a.mr(r + RECORD_HEADER + (j >>> 5)) & bit) {
          const req = a.mr(r + RECORD_HEADER + 3 * W + j);
          if (req < 0 || req > usable) fail(`${name(i)}: slot ${hex(slot)} records a requested size of ${req}, not within its ${usable} usable bytes`);
          if (a.canary !== 0) {
            if (mem.i32(slot + usable) !== a.mr(r + R_CANARY0) || mem.i32(slot + usable + 4) !== a.mr(r + R_CANARY1)) fail(`${name(i)}: the canary of the live slot ${hex(slot)} is corrupted (overflow)`);
          }
          blocks++;
          bytes += req;
          usableSum += usable;
        } else if (a.options.zeroOnFree && !a.zero.isZero(slot, usable)) {
          const held = (a.mr(r + RECORD_HEADER + W + (j >>> 5)) & bit) !== 0;
          fail(`${name(i)}: the ${held ? 'quarantined' : 'free'} slot ${hex(slot)} is not zero (written after free)`);
        }
      }
    }
    if (counts[S_PARTIAL] !== partial) fail(`class ${c}: ${counts[S_PARTIAL]} partial slabs, ${partial} on the partial list`);
    if (counts[S_EMPTY] !== empty || counts[S_DECOMMITTED] !== decommitted) fail(`class ${c}: ${counts[S_EMPTY]} empty / ${counts[S_DECOMMITTED]} decommitted slabs, the lists hold ${empty} / ${decommitted}`);
    if (fresh > 0 && !space.accessible(a.metaAddr + a.metaBase[c]! * 4, fresh * R * 4, RW)) fail(`class ${c}: the records of its ${fresh} used slabs are not all in writable metadata pages`);

    // Quarantine.
    const q = a.quarantines[c]!.entries();
    if (q.length !== heldSum) fail(`class ${c}: ${heldSum} slots marked quarantined, the quarantine holds ${q.length}`);
    for (const ptr of q) {
      const info = a.slotOf(ptr);
      if (info < 0 || a.slotClass !== c) fail(`class ${c}: the quarantine holds ${hex(ptr)}, which is not a slot of this class`);
      const r = a.metaBase[c]! + a.slotSlab * R;
      if (!(a.mr(r + RECORD_HEADER + W + (info >>> 5)) & (1 << (info & 31)))) fail(`class ${c}: the quarantine holds ${hex(ptr)}, whose quarantine bit is clear`);
    }
  }
  if (blocks !== a.smallBlocks || bytes !== a.smallBytes || usableSum !== a.smallUsable) {
    fail(`slabs hold ${blocks} blocks / ${bytes} requested / ${usableSum} usable bytes, the counters say ${a.smallBlocks} / ${a.smallBytes} / ${a.smallUsable}`);
  }
  a.large.check(fail);
}
