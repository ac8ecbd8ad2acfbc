/*
 * Residency: which pages would cost RAM on Linux, measured by the space itself.
 *
 * Method: a page is resident once anything was written to it since it was mapped.
 *   1. Checked stores (store8…, write, fill) set the page's RESIDENT bit at once.
 *   2. Allocators write through raw views, which the space cannot see, so when figures are
 *      sampled (`space.stats()`, and before mprotect removes write access) every committed page
 *      not yet RESIDENT is scanned: any non-zero byte makes it RESIDENT. The scan compares pages
 *      with a zero block using Buffer.compare (memcmp), so an unwritten page costs one read.
 *   3. munmap and MADV_DONTNEED clear the bit and zero the page (only if it was written).
 *   4. A page the host process never touched (host-pages.ts: Linux's pagemap says it has no frame)
 *      holds zeros and is not read in 2 or 3, as a real kernel reads nothing it never mapped in.
 *
 * Error of the method: a page written only with zeros and never through a checked store is not
 * counted (Linux would count it); a page written and given back between two samples never shows
 * in the peak. Both undercount; neither overcounts. Peaks are exact at sample points and at
 * checked stores, so callers that want exact peaks sample after every event.
 */

import { Buffer } from 'node:buffer';
import { COUNTER, H, PAGE_MAPPED, PAGE_RESIDENT, PAGE_WRITE } from './layout.js';
import type { AddressSpace } from './address-space.js';

const ZERO = Buffer.alloc(65536);

/**
 * True when [start, start + length) of `bytes` holds only zero bytes. `bytes` is a Buffer over
 * the whole space made once per view binding (`space.bytes`), so a compare allocates nothing.
 */
export function isZeroRange(bytes: Buffer, start: number, length: number): boolean {
  for (let at = start; at < start + length; at += ZERO.length) {
    const n = Math.min(ZERO.length, start + length - at);
    if (bytes.compare(ZERO, 0, n, at, at + n) !== 0) return false;
  }
  return true;
}

/**
 * For pages [p, p + n): writes to out[at …] 1 for each page holding a non-zero byte, 0 for the
 * others. Compares up to ZERO's 64 KiB at once and a stretch one page at a time only when it
 * holds a non-zero byte, so runs of unwritten pages cost one memcmp call per 64 KiB.
 */
export function compareRun(bytes: Buffer, p: number, n: number, pageSize: number, out: Uint8Array, at: number): void {
  const step = Math.max(1, ZERO.length / pageSize);
  for (let i = 0; i < n; i += step) {
    const m = Math.min(step, n - i);
    const start = ((p + i) * pageSize) >>> 0;
    if (isZeroRange(bytes, start, m * pageSize)) {
      out.fill(0, at + i, at + i + m);
      continue;
    }
    for (let k = 0; k < m; k++) out[at + i + k] = isZeroRange(bytes, start + k * pageSize, pageSize) ? 0 : 1;
  }
}

/** 1 when none of the four pages whose flags make up `w` is writable and not RESIDENT, else 0. */
function noCandidate(w: number): number {
  // WRITE implies MAPPED; each byte's WRITE and RESIDENT bits are moved to its bit 0.
  return ((w >>> WRITE_BIT) & ~(w >>> RESIDENT_BIT) & 0x01010101) === 0 ? 1 : 0;
}
const WRITE_BIT = Math.log2(PAGE_WRITE);
const RESIDENT_BIT = Math.log2(PAGE_RESIDENT);

/**
 * Scans pages [p0, p0 + n) that are committed but not yet RESIDENT and marks those holding a
 * non-zero byte. Walks the mapped bitmap a word at a time, so unmapped stretches cost little.
 * Caller holds the space lock.
 */
export function sampleResidency(space: AddressSpace, p0: number, n: number): void {
  const flags = space.flags;
  const bm = space.bitmap;
  const end = p0 + n;
  const candidate = (q: number): boolean => (flags[q]! & (PAGE_MAPPED | PAGE_WRITE | PAGE_RESIDENT)) === (PAGE_MAPPED | PAGE_WRITE);
  const f32 = space.flags32;
  let p = p0;
  while (p < end) {
    if ((p & 31) === 0 && bm[p >>> 5] === 0) {
      p += 32;
      continue;
    }
    // Eight pages at once (two words of flags): none writable and not yet RESIDENT → skip them.
    // Reservations (PROT_NONE) and read-only mappings are passed this way, not page by page.
    if ((p & 7) === 0 && p + 8 <= end && (noCandidate(f32[p >>> 2]!) & noCandidate(f32[(p >>> 2) + 1]!)) !== 0) {
      p += 8;
      continue;
    }
    if (!candidate(p)) {
      p++;
      continue;
    }
    // A run of candidate pages is measured at once (only what the host touched is read).
    let q = p + 1;
    while (q < end && candidate(q)) q++;
    const written = space.writtenPages(p, q - p);
    for (let r = p; r < q; r++) if (written[r - p] !== 0) space.markResident(r);
    p = q;
  }
  const peak = space.f64[COUNTER.peakResident]!;
  const now = space.i32[H.residentPages]!;
  if (now > peak) space.f64[COUNTER.peakResident] = now;
}
