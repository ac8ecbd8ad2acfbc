/*
 * Mmapped chunks: requests at or above the mmap threshold (or that the heap cannot serve) get
 * their own mapping; free is munmap. Layout (layout.ts): the chunk sits `pad` bytes into its
 * mapping m, pad < page (0 unless memalign), so m = c − c mod page; head = (mapping end − c) |
 * PINUSE | CINUSE | MMAPPED; c+8 the requested size; c+12 = c ^ MAGIC; m+0 = pad when pad > 0.
 *
 * Invariants: pad + size = mappedSpan(pad, requested), the pages from m up to the first page
 * past the user pointer's first byte (so a block of 0 bytes still holds the page its pointer is
 * in, and blockAt finds it); every page of [m, m + pad + size) is ours and writable; the counters
 * mmappedChunks / mmappedBytes count these chunks and their pages.
 * The dynamic threshold rule (glibc's) lives in unmapChunk.
 * Sizes are 32-bit header words, so one mapped chunk is below 4 GiB (a larger request returns 0,
 * as out of memory, in a 2^47 space); the magic mixes the low 32 bits of c (c mod 2^32, exact
 * for any address below 2^53) with MAGIC.
 */

import { KernelError, MAP_FIXED_NOREPLACE, PROT_READ, PROT_WRITE, alignUp, hex } from '@heaplab/core';
import type { DlmallocAllocator } from './allocator.js';
import {
  CINUSE, HEADER, MAGIC, MMAPPED, MMAP_THRESHOLD_MAX, PINUSE, S_DYNAMIC,
  S_MMAP_THRESHOLD, S_TRIM_THRESHOLD, TWO32,
} from './layout.js';

const RW = PROT_READ | PROT_WRITE;

/** The check word an mmapped chunk at c holds at c+12: (c mod 2^32) ^ MAGIC. */
function magic(c: number): number {
  return ((c % TWO32) ^ MAGIC) >>> 0;
}

function map(a: DlmallocAllocator, len: number): number {
  try {
    return a.space.mmap(0, len, RW, 0, a.identity);
  } catch (e) {
    if (e instanceof KernelError && e.code === 'ENOMEM') return 0;
    throw e;
  }
}

/**
 * Bytes of the mapping of a chunk `pad` bytes into it holding `size` requested bytes: header and
 * at least one user byte, rounded up to pages. The one byte matters for memalign(A, 0) with A a
 * page or more: the user pointer is then page-aligned, and without it the mapping would end
 * exactly there, leaving the pointer outside its own block.
 */
export function mappedSpan(pad: number, size: number, ps: number): number {
  return alignUp(pad + HEADER + Math.max(size, 1), ps);
}

/** A chunk in its own mapping, aligned to `align`; slack pages before and after are unmapped. */
export function mmapChunk(a: DlmallocAllocator, size: number, align: number): number {
  const space = a.space;
  const ps = space.pageSize;
  const span = Math.max(size, 1) + HEADER + (align > 16 ? align : 0);
  if (span > space.size) return 0;
  const len = alignUp(span, ps);
  if (len >= TWO32) return 0; // its size must fit the 32-bit head word
  const m0 = map(a, len);
  if (m0 === 0) return 0;
  const c = alignUp(m0 + HEADER, align) - HEADER;
  const lead = Math.floor((c - m0) / ps) * ps;
  if (lead > 0) space.munmap(m0, lead);
  const m = m0 + lead;
  const pad = c - m;
  const end = m + mappedSpan(pad, size, ps);
  if (end < m0 + len) space.munmap(end, m0 + len - end);
  const s = end - c;
  const mem = a.m;
  if (pad !== 0) mem.setU32(m, pad);
  mem.setU32(c + 4, s | PINUSE | CINUSE | MMAPPED);
  mem.setU32(c + 8, size);
  mem.setU32(c + 12, magic(c));
  a.account(1, size, s - HEADER);
  a.nMapped++;
  a.nMappedBytes += end - m;
  return c + HEADER;
}

/**
 * @internal What is wrong with the mmapped-chunk header at c, or null when it is well formed —
 * glibc's munmap_chunk checks, and more: the head's flags exactly PINUSE | CINUSE | MMAPPED; the
 * pad word (m+0) = c mod page when c is not page-aligned; the size what the requested size (c+8)
 * needs (pad + size = mappedSpan(pad, requested)), so a page-multiple size rewritten by an overflow
 * is caught too; and the chunk spans exactly one mapping of ours: [m, m + pad + size) inside the
 * space, our pages, writable, a mapping starting at m and one ending at its end. The caller has
 * checked that c+12 holds c ^ MAGIC (hasMagic). Not a hot path: frees of mapped chunks only.
 */
export function mappedHeaderDamage(a: DlmallocAllocator, c: number): string | null {
  const mem = a.m;
  const space = a.space;
  const ps = space.pageSize;
  const h = mem.u32(c + 4);
  if ((h & 15) !== (PINUSE | CINUSE | MMAPPED)) return `its head ${hex(h)} does not say "in use, mmapped"`;
  const pad = c % ps;
  const m = c - pad;
  if (pad !== 0 && mem.u32(m) !== pad) return `the pad word at ${hex(m)} is ${mem.u32(m)}, not ${pad}`;
  const s = (h & ~15) >>> 0;
  const req = mem.u32(c + 8);
  const total = pad + s;
  if (total !== mappedSpan(pad, req, ps)) return `its size ${s} is not what its requested size ${req} needs (${mappedSpan(pad, req, ps) - pad})`;
  if (m + total > space.size) return `its size ${s} runs past the end of the space`;
  if (space.ownerIndexAt(m) !== a.ownerIndex || space.ownerIndexAt(m + total - 1) !== a.ownerIndex || !space.accessible(m, total, RW)) {
    return `its ${total} bytes from ${hex(m)} are not all writable pages of ours`;
  }
  if (space.mappingAt(m)?.start !== m || space.mappingAt(m + total - 1)?.end !== m + total) return `it does not span its mapping (${hex(m)}…${hex(m + total)})`;
  return null;
}

/** @internal True when c+12 holds c's mmapped-chunk magic, in a page of ours: c was a mapped chunk's address. */
export function hasMagic(a: DlmallocAllocator, c: number): boolean {
  return a.space.ownerIndexAt(c) === a.ownerIndex && a.m.u32(c + 12) === magic(c);
}

/** @internal True when c holds a well-formed mmapped chunk header of ours. */
export function isMmappedChunk(a: DlmallocAllocator, c: number): boolean {
  return hasMagic(a, c) && mappedHeaderDamage(a, c) === null;
}

/** @internal The mmapped chunk whose mapping starts at page m (c = m, or m + pad for memalign), or 0. */
export function mmappedChunkAt(a: DlmallocAllocator, m: number): number {
  if (isMmappedChunk(a, m)) return m;
  const pad = a.m.u32(m);
  return pad > 0 && pad < a.space.pageSize && pad % 16 === 0 && isMmappedChunk(a, m + pad) ? m + pad : 0;
}

export function unmapChunk(a: DlmallocAllocator, c: number): void {
  const mem = a.m;
  const s = (mem.u32(c + 4) & ~15) >>> 0;
  const pad = c % a.space.pageSize;
  a.account(-1, -mem.u32(c + 8), -(s - HEADER));
  const sa = a.stateBase;
  a.nMapped--;
  a.nMappedBytes -= pad + s;
  a.space.munmap(c - pad, pad + s);
  if (a.recent.length > 0) {
    a.recent[a.recentAt] = c + HEADER;
    a.recentAt = (a.recentAt + 1) % a.recent.length;
  }
  if (mem.u32(sa + S_DYNAMIC) && s > mem.u32(sa + S_MMAP_THRESHOLD) && s <= MMAP_THRESHOLD_MAX) {
    mem.setU32(sa + S_MMAP_THRESHOLD, s);
    mem.setU32(sa + S_TRIM_THRESHOLD, 2 * s);
  }
}

export function resizeMapped(a: DlmallocAllocator, c: number, size: number): number {
  const space = a.space;
  const mem = a.m;
  const ps = space.pageSize;
  const pad = c % ps;
  const m = c - pad;
  const s = (mem.u32(c + 4) & ~15) >>> 0;
  const cur = pad + s;
  const need = mappedSpan(pad, size, ps);
  if (need < cur) space.munmap(m + need, cur - need);
  else if (need > cur) {
    if (m + need > space.size || need >= TWO32) return 0;
    try {
      space.mmap(m + cur, need - cur, RW, MAP_FIXED_NOREPLACE, a.identity);
    } catch (e) {
      if (e instanceof KernelError) return 0;
      throw e;
    }
  }
  const ns = need - pad;
  mem.setU32(c + 4, ns | PINUSE | CINUSE | MMAPPED);
  a.account(0, size - mem.u32(c + 8), ns - s);
  a.nMappedBytes += need - cur;
  mem.setU32(c + 8, size);
  return c + HEADER;
}
