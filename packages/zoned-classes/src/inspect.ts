/*
 * inspect(addr) for zoned-classes: what the zones keep at an address. In the zone area the page
 * table (pageSlab) gives a used slab's class and index; its record (layout.ts) gives the slab's
 * state and the slot's bits: used (live: its requested bytes, slack to the usable size, then the
 * 8-byte canary), quarantined (freed, held back: its place in the class's slot quarantine), or
 * free (handed out before, or never since the slab was made writable: unused). Pages of the area
 * outside used slabs are told apart from the zone plan: the zone's random PROT_NONE offset, guard
 * slabs, slabs never used or decommitted, the zone's guard tail, a slab's unused end. Outside the
 * area: the metadata, state and large-table mappings (metadata), large regions (live, or
 * quarantined when freed) and their PROT_NONE guard pages.
 */

import { PROT_NONE, hex, type Inspection } from '@heaplab/core';
import type { ZonedAllocator } from './zoned.js';
import { RECORD_HEADER, R_ADDR, R_HELD, R_LIVE, R_STATE, STATE_NAMES, S_DECOMMITTED, S_NEVER } from './layout.js';

type Details = [string, string][];

/** Where `ptr` sits in quarantine `q`'s entries (queue oldest first, then the random array), as words. */
function quarantinePlace(entries: readonly number[], queueLength: number, queued: number, ptr: number): string {
  const k = entries.indexOf(ptr);
  if (k < 0) return 'held (its place not found)';
  return k < queued ? `FIFO queue, ${k + 1} of ${queued} (${queueLength} cells): leaves after ${k} more` : 'random array: leaves when a later free lands on its cell';
}

function inspectArea(a: ZonedAllocator, addr: number, chain: string[], brief: boolean): Inspection {
  const ps = a.space.pageSize;
  const zone = Math.floor((addr - a.areaBase) / a.zoneBytes);
  const c = a.zoneClass[zone]!;
  const zoneStart = a.areaBase + zone * a.zoneBytes;
  const slabBytes = a.slabBytes[c]!;
  const first = a.slabStart[c]!;
  const positions = a.positionsOf[c]!;
  const slot = a.slotSize[c]!;
  const usable = a.usableOf[c]!;
  const details: Details = [['size class', `#${c}: slots of ${slot} bytes (${usable} usable${a.canary && c !== 0 ? `, ${a.canary}-byte canary` : ''})`], ['zone', `${hex(zoneStart)}–${hex(zoneStart + a.zoneBytes)}`]];
  if (addr < first) return { kind: 'reserved', start: zoneStart, size: first - zoneStart, block: null, details: [...details, ['where', 'the zone\'s random PROT_NONE offset before its first slab']], chain };
  const pos = Math.floor((addr - first) / slabBytes);
  const posStart = first + pos * slabBytes;
  if (pos >= positions) return { kind: 'guard', start: first + positions * slabBytes, size: zoneStart + a.zoneBytes - (first + positions * slabBytes), block: null, details: [...details, ['where', 'the zone\'s PROT_NONE tail']], chain };
  const g = a.guardInterval;
  if ((pos + 1) % (g + 1) === 0) return { kind: 'guard', start: posStart, size: slabBytes, block: null, details: [...details, ['where', `a guard slab (one after every ${g} slabs)`]], chain };
  const i = pos - Math.floor(pos / (g + 1));
  const rec = a.metaBase[c]! + i * a.recordOf[c]!;
  const state = i < a.nextFresh[c]! ? a.mr(rec + R_STATE) : S_NEVER;
  details.push(['slab', `#${i} at ${hex(posStart)}, ${STATE_NAMES[state]}${state !== S_NEVER && state !== S_DECOMMITTED ? `: ${a.mr(rec + R_LIVE)} live, ${a.mr(rec + R_HELD)} quarantined of ${a.slotsOf[c]!} slots` : ''}`]);
  if (state === S_NEVER || state === S_DECOMMITTED) {
    return { kind: 'reserved', start: posStart, size: slabBytes, block: null, details: [...details, ['where', state === S_NEVER ? 'a slab never used: PROT_NONE until first needed' : 'a decommitted slab: PROT_NONE, its pages given back']], chain };
  }
  const base = a.slabBase(c, i, rec);
  const j = Math.floor((addr - base) / slot);
  const n = a.slotsOf[c]!;
  if (j >= n) return { kind: 'slack', start: base + n * slot, size: base + slabBytes - (base + n * slot), block: null, details: [...details, ['where', 'the slab\'s bytes after its last slot']], chain };
  const W = a.wordsOf[c]!;
  const used = rec + RECORD_HEADER;
  const bit = (w: number): boolean => (a.mr(used + w * W + (j >>> 5)) & (1 << (j & 31))) !== 0;
  const s = base + j * slot;
  details.push(['slot', `#${j} of ${n} at ${hex(s)}`]);
  const canaryAt = s + usable;
  if (bit(0)) {
    const requested = c === 0 ? 0 : a.mr(used + 3 * W + j) >>> 0;
    const block = { base: s, size: usable };
    details.push(['state', 'live'], ['requested', `${requested} bytes`]);
    if (a.canary && c !== 0 && addr >= canaryAt) return { kind: 'canary', start: canaryAt, size: a.canary, block, details: [...details, ['canary', 'the slab\'s canary, checked when the slot is freed']], chain };
    if (addr < s + requested) return { kind: 'live', start: s, size: requested, block, details, chain };
    return { kind: 'slack', start: s + requested, size: usable - requested, block, details, chain };
  }
  if (bit(1)) {
    const q = a.quarantines[c]!;
    details.push(['state', 'freed, in quarantine (not handed out again until it leaves)']);
    if (!brief) details.push(['quarantine', quarantinePlace(q.entries(), q.queueLength, Math.max(0, q.entries().length - q.random.filter((v) => v !== 0).length), s)]);
    return { kind: 'quarantine', start: s, size: slot, block: { base: s, size: usable }, details, chain };
  }
  const dirty = bit(2);
  details.push(['state', dirty ? 'free: freed and out of quarantine, zeroed' : 'free: not handed out since the slab was made writable']);
  return { kind: dirty ? 'free' : 'unused', start: s, size: slot, block: null, details, chain };
}

/** What `a` keeps at `addr`, or undefined when the address is not in its memory. */
export function inspectZoned(a: ZonedAllocator, addr: number, brief = false): Inspection | undefined {
  const space = a.space;
  if (!(Number.isInteger(addr) && addr > 0 && addr < space.size)) return undefined;
  const chain = [a.identity.label];
  if (addr >= a.areaBase && addr < a.areaEnd) return inspectArea(a, addr, chain, brief);
  if (!a.owns(addr)) return undefined;
  const ps = space.pageSize;
  const page = Math.floor(addr / ps) * ps;
  const m = space.mappingAt(addr);
  if (addr >= a.metaAddr && addr < a.metaAddr + a.plan.metaPages * ps) return { kind: 'metadata', start: a.metaAddr, size: a.plan.metaPages * ps, block: null, details: [['metadata', 'slab records: state, list links, canaries, used / quarantine / dirty bitmaps, requested sizes']], chain };
  if (addr >= a.stateAddr && addr < a.stateAddr + a.stateBytes) return { kind: 'metadata', start: a.stateAddr, size: a.stateBytes, block: null, details: [['metadata', 'state: slab-list heads, the area\'s page table, quarantines, large holes']], chain };
  const t = a.large.table;
  // A large region: walk down its pages to the table entry of its first data page.
  for (let p = page; p > 0 && a.owns(p); p -= ps) {
    const k = t.find(p);
    if (k < 0) continue;
    const data = t.dataPages[k]! * ps;
    if (addr >= p + data + t.guardAfter[k]! * ps) break;
    const requested = t.requested[k]!;
    const details: Details = [['large region', `${hex(p)}: ${t.dataPages[k]!} data pages, ${t.guardBefore[k]!} guard page(s) before, ${t.guardAfter[k]!} after`], ['requested', `${requested} bytes`]];
    const block = { base: p, size: data };
    if (addr >= p + data) return { kind: 'guard', start: p + data, size: t.guardAfter[k]! * ps, block, details, chain };
    if (t.quarantined[k]) {
      const q = a.large.quarantine;
        const place: [string, string][] = brief ? [] : [['quarantine', quarantinePlace(q.entries(), q.queueLength, Math.max(0, q.entries().length - q.random.filter((v) => v !== 0).length), p)]];
      return { kind: 'quarantine', start: p, size: data, block: null, details: [...details, ['state', 'freed, in the region quarantine (PROT_NONE)'], ...place], chain };
    }
    if (addr < p + requested) return { kind: 'live', start: p, size: requested, block, details, chain };
    return { kind: 'slack', start: p + requested, size: data - requested, block, details, chain };
  }
  if (space.protAt(addr) === PROT_NONE) return { kind: 'guard', start: page, size: ps, block: null, details: [['guard', `a PROT_NONE page${m ? ` of the mapping ${hex(m.start)}–${hex(m.end)}` : ''}`]], chain };
  return { kind: 'metadata', start: m ? m.start : page, size: m ? m.end - m.start : ps, block: null, details: [['metadata', 'the large-block table']], chain };
}
