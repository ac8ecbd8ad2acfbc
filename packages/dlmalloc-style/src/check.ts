/*
 * check(): walks every chunk of the heap, every bin and every mmapped chunk, and throws
 * HeapCorruption naming the first thing that is wrong. Not a hot path: it may allocate.
 *
 * What it verifies (the invariants of allocator.ts and layout.ts):
 *   heap walk from the base: sizes ≥ 16, multiples of 16, ending exactly at the top;
 *   PINUSE(c) = CINUSE(prev); no two adjacent free chunks; a free chunk's footer = its size;
 *   an in-use chunk's requested size ≤ usable and its canary intact;
 *   the top: head size = top size, not in use, its end within the heap segment;
 *   chunk-start bitmap: a bit at every chunk start and nowhere else in the heap;
 *   the tcache: each list holds in-use-marked chunks of its size, no more than tcacheMax, its
 *   count right, and every TCACHED chunk of the heap in exactly one list;
 *   bins: bitmap bit ⇔ non-empty; fd/bk consistent; each chunk free, of the bin's size range, in
 *   the bin's order; every free chunk but the victim and the top in exactly one bin;
 *   first fit's lowest-address index: every node the min of its children;
 *   next fit's free-size tree: each free chunk's size within its region's bound, every entry over
 *   the heap at least its children;
 *   mmapped chunks: well-formed headers (mapped.ts mappedHeaderDamage) tiling our mappings;
 *   the counters (live blocks, live bytes, usable bytes, mmapped chunks and bytes) add up.
 */

import { HeapCorruption, PROT_READ, PROT_WRITE, hex } from '@heaplab/core';
import type { DlmallocAllocator } from './allocator.js';
import { ORDER_ADDRESS, ORDER_SIZE } from './bins.js';
import { hasMagic, mappedHeaderDamage, mmappedChunkAt } from './mapped.js';
import {
  CINUSE, HEADER, MIN_CHUNK, MMAPPED, NBINS, PINUSE, SMALL_LIMIT, S_DV, S_DV_SIZE, S_HEAP_BASE,
  S_TOP, S_TOP_SIZE, TCACHED, binIndex,
} from './layout.js';

export function checkHeap(a: DlmallocAllocator): void {
  const label = a.identity.label;
  const bad = (what: string): never => {
    throw new HeapCorruption(label, what);
  };
  const mem = a.m;
  const sa = a.stateBase;
  const space = a.space;
  const wb = a.wb;
  const hbo = mem.u32(sa + S_HEAP_BASE);
  const top = hbo === 0 ? mem.u32(sa + S_TOP) : wb + mem.u32(sa + S_TOP);
  const ts = mem.u32(sa + S_TOP_SIZE);
  const hb = hbo === 0 ? 0 : wb + hbo;
  const dvo = mem.u32(sa + S_DV);
  const dv = dvo === 0 ? 0 : wb + dvo;
  const dvs = mem.u32(sa + S_DV_SIZE);
  const size = (c: number): number => (mem.u32(c + 4) & ~15) >>> 0;
  let blocks = 0;
  let bytes = 0;
  let usable = 0;
  const free = new Set<number>();
  const cached = new Set<number>();

  if (hb === 0) {
    if (top !== 0 || ts !== 0 || dv !== 0) bad('no heap yet, but a top or victim is set');
  } else {
    const end = top + ts;
    if (end > space.currentBrk || !space.accessible(hb, end - hb, PROT_READ | PROT_WRITE)) bad(`the heap ${hex(hb)}…${hex(end)} is not all inside the heap segment`);
    let c = hb;
    let prevInUse = true;
    let chunks = 0;
    let dvSeen = false;
    while (c < top) {
      const h = mem.u32(c + 4);
      const s = (h & ~15) >>> 0;
      const at = `chunk ${hex(c)} (size ${s})`;
      if (s < MIN_CHUNK || s % 16 !== 0 || c + s > top) bad(`${at} runs past the top ${hex(top)} or has a bad size`);
      if (h & MMAPPED) bad(`${at} in the heap is marked mmapped`);
      if (!a.starts.has(c)) bad(`${at} has no bit in the chunk-start bitmap`);
      if (((h & PINUSE) !== 0) !== prevInUse) bad(`${at}: PINUSE says the previous chunk is ${prevInUse ? 'free' : 'in use'}, it is not`);
      if (h & TCACHED) {
        if (!(h & CINUSE)) bad(`${at} is in the tcache but not marked in use`);
        if (mem.u32(c + s) !== a.canary(c)) bad(`${at}: the canary after the block was overwritten (tcache)`);
        cached.add(c);
      } else if (h & CINUSE) {
        const req = mem.u32(c + 8);
        if (req > s - HEADER) bad(`${at}: requested size ${req} exceeds the usable ${s - HEADER}`);
        if (mem.u32(c + s) !== a.canary(c)) bad(`${at}: the canary after the block was overwritten`);
        blocks++;
        bytes += req;
        usable += s - HEADER;
      } else {
        if (!prevInUse) bad(`${at} is free and so is the chunk before it (not coalesced)`);
        if (mem.u32(c + s) !== s) bad(`${at}: footer ${mem.u32(c + s)} is not the size`);
        if (c === dv) {
          dvSeen = true;
          if (s !== dvs) bad(`the victim ${hex(dv)} has size ${s}, the state says ${dvs}`);
        } else {
          free.add(c);
          const roving = a.bins.roving;
          if (roving !== null && roving.bound(roving.region(c)) < s) bad(`${at}: next fit's free-size tree bounds its region ${roving.region(c)} by ${roving.bound(roving.region(c))}, below its size`);
        }
      }
      prevInUse = (h & CINUSE) !== 0;
      chunks++;
      c += s;
    }
    if (c !== top) bad(`the chunks end at ${hex(c)}, not at the top ${hex(top)}`);
    const th = mem.u32(top + 4);
    if (((th & ~15) >>> 0) !== ts || th & CINUSE) bad(`the top ${hex(top)} has head ${hex(th)}, expected size ${ts} and free`);
    if (!prevInUse) bad('a free chunk sits right below the top (not merged)');
    if (!(th & PINUSE)) bad('the top says its previous chunk is free');
    if (ts < MIN_CHUNK) bad(`the top has ${ts} bytes, less than one chunk`);
    if (dv !== 0 && !dvSeen) bad(`the victim ${hex(dv)} is not a free chunk of the heap`);
    const roving = a.bins.roving;
    if (roving !== null) {
      const wrong = roving.firstWrong(roving.region(hb), roving.region(top));
      if (wrong !== '') bad(`next fit's free-size tree: ${wrong}`);
    }
    const bits = a.starts.count(hb, end);
    if (bits !== chunks + 1) bad(`the chunk-start bitmap has ${bits} bits for ${chunks} chunks and the top`);
  }

  // The tcache.
  for (let k = 1; k < 64; k++) {
    let n = 0;
    for (let x = a.tcacheFirst(k); x !== 0; x = a.revealTcache(x)) {
      if (!cached.has(x)) bad(`tcache list ${k * 16} holds ${hex(x)}, which is not a tcached chunk of the heap (or is listed twice)`);
      cached.delete(x);
      if (size(x) !== k * 16) bad(`tcache list ${k * 16} holds ${hex(x)} of size ${size(x)}`);
      n++;
    }
    const count = mem.u32(a.ta + 256 + 4 * k);
    if (n !== count || n > a.tcacheMax) bad(`tcache list ${k * 16} holds ${n} chunks, its count says ${count} (most ${a.tcacheMax})`);
  }
  if (cached.size > 0) bad(`tcached chunk ${hex(cached.values().next().value!)} is in no tcache list`);

  // Bins.
  const bins = a.bins;
  for (let i = 0; i < NBINS; i++) {
    const f = bins.bin(i);
    const first = wb + mem.u32(f + 8);
    const bit = (mem.u32(bins.bma + ((i >>> 5) << 2)) >>> (i & 31)) & 1;
    if ((first !== f ? 1 : 0) !== bit) bad(`bin ${i}: bitmap bit ${bit} but the bin is ${first !== f ? 'not ' : ''}empty`);
    let prev = f;
    let prevSize = 0;
    for (let x = first; x !== f; x = wb + mem.u32(x + 8)) {
      if (!free.has(x)) bad(`bin ${i} holds ${hex(x)}, which is not a free chunk of the heap (or is listed twice)`);
      free.delete(x);
      if (wb + mem.u32(x + 12) !== prev) bad(`bin ${i}: ${hex(x)}.bk is ${hex(wb + mem.u32(x + 12))}, expected ${hex(prev)}`);
      const s = size(x);
      if (binIndex(s) !== i) bad(`bin ${i} holds ${hex(x)} of size ${s}, which belongs in bin ${binIndex(s)}`);
      const order = bins.order === ORDER_SIZE ? s >= SMALL_LIMIT && s < prevSize : bins.order === ORDER_ADDRESS && prev !== f && x < prev;
      if (order) bad(`bin ${i} is out of order at ${hex(x)}`);
      prev = x;
      prevSize = s;
    }
    if (wb + mem.u32(f + 12) !== prev) bad(`bin ${i}: its bk is not its last chunk`);
  }
  if (free.size > 0) bad(`free chunk ${hex(free.values().next().value!)} is in no bin`);
  if (bins.lowest !== null) {
    const k = bins.lowest.firstWrong();
    if (k !== 0) bad(`first fit's lowest-address index: node ${k} holds ${hex(wb + mem.u32(bins.lowest.ta + 4 * k))}, not the lower of its children`);
  }

  // Mmapped chunks tile our mappings outside the heap and the state mapping.
  let mchunks = 0;
  let mbytes = 0;
  // Adjacent mappings of ours are walked as one run: a chunk grown in place spans two mmap calls.
  const runs: { start: number; end: number }[] = [];
  for (const m of space.mappings()) {
    if (m.owner !== a.ownerIndex || m.heap) continue;
    const last = runs[runs.length - 1];
    if (last && last.end === m.start) last.end = m.end;
    else runs.push({ start: m.start, end: m.end });
  }
  for (const m of runs) {
    let at = m.start;
    while (at < m.end) {
      if (at === a.stateBase) {
        at = a.stateEnd;
        continue;
      }
      const c = mmappedChunkAt(a, at);
      if (c === 0) {
        // Name the damage when a chunk's magic word is still there (at, or pad bytes into the page).
        const pad = mem.u32(at);
        const d = hasMagic(a, at) ? at : pad > 0 && pad < space.pageSize && pad % 16 === 0 && hasMagic(a, at + pad) ? at + pad : 0;
        bad(d !== 0 ? `mmapped chunk ${hex(d)}: the header was overwritten (${mappedHeaderDamage(a, d)})` : `mapping page ${hex(at)} does not start an mmapped chunk`);
      }
      const pad = c - at;
      const s = size(c);
      const req = mem.u32(c + 8);
      if (req > s - HEADER) bad(`mmapped chunk ${hex(c)}: requested size ${req} exceeds the usable ${s - HEADER}`);
      blocks++;
      bytes += req;
      usable += s - HEADER;
      mchunks++;
      mbytes += pad + s;
      at = c + s;
    }
  }

  if (blocks !== a.nBlocks || bytes !== a.nBytes || usable !== a.nUsable) {
    bad(`chunks add up to ${blocks} blocks, ${bytes} requested and ${usable} usable bytes; the counters say ${a.nBlocks}, ${a.nBytes}, ${a.nUsable}`);
  }
  if (mchunks !== a.nMapped || mbytes !== a.nMappedBytes) {
    bad(`mappings hold ${mchunks} mmapped chunks of ${mbytes} bytes; the counters say ${a.nMapped} and ${a.nMappedBytes}`);
  }
}
