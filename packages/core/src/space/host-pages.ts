/*
 * Host pages: which pages of the space's buffer the host process has ever touched, asked of
 * Linux through /proc/self/pagemap, so the simulated kernel never reads a page nobody touched.
 *
 * Why: to give pages back (munmap, MADV_DONTNEED, a MAP_FIXED mapping over old ones) and to
 * measure residency, the space must know whether a writable page holds anything but zeros, and
 * allocators write through raw views it cannot see, so it reads the page. A real kernel reads
 * nothing: a page never faulted in has no frame. Reading it here faults it in on the host, at a
 * price that dwarfs the rest (microseconds per page on a virtual machine, tens of times the read
 * of a page already touched) — and a design that reserves address space and touches little of it
 * (hardened_malloc's region quarantine, a mapping per block) would pay it for every page.
 *
 * Method: an anonymous private OS page that is neither present nor swapped in the host's page
 * table reads as zero, so it needs no read. The space's buffer is located once, lazily: among the
 * anonymous read-write mappings of /proc/self/maps long enough to hold it (Linux merges
 * neighbours, so it may sit anywhere in one), reading one byte at an OS-page-aligned offset x of
 * an untouched part of the buffer makes exactly one page appear in pagemap: that page is the
 * buffer's OS page x / os, which gives base, the OS page holding the buffer's first byte. The
 * buffer need not start on an OS page (glibc serves a big calloc with its own mmap and a 16-byte
 * header): its offset d in that page is found by a binary search of single-byte reads of fresh
 * pages (a byte at offset j of a fresh OS-page-sized stretch lands in the next OS page iff
 * d + j ≥ os). Then byte b of space page p lies in OS page base + p·r + ⌊(d + b) / os⌋
 * (r = space page / OS page): r entries, one more when d > 0.
 *
 * Reading: a page whose entries are all present is compared whole; one with some present is
 * compared only where they are (reading an absent part would fault it in, and would make the
 * neighbour sharing that OS page look touched next time: a cascade); one with none is zero.
 * Giving pages back zeroes the same way: a page straddling a touched and an untouched OS page
 * is zeroed only in the touched one (zeroing it whole would fault the other in: one host page
 * fault, microseconds, for each page given back).
 *
 * State: one bit per space page, "known present", set when all its entries were present: a
 * present page stays present (the buffer is never given back to the OS while the space lives),
 * so the bit caches a fact that only grows, and pagemap is read only for the other pages, one
 * pread per call for all of them (from the first to the last page not known present), so a
 * heap's madvise of a few dozen pages costs one pread, and pages nobody touches are never read.
 *
 * Cost model: reading every committed page would fault in each one the host never touched, so
 * an allocator that commits more than it writes (zoned-classes' slabs and guard regions) would
 * pay a host fault per such page at every sample and every page given back; here it pays one
 * pread per call for the pages not yet known present, and nothing for pages nobody wrote. An
 * allocator that gives pages back often (dlmalloc-style trims and madvises) pays about one pread
 * per madvise.
 *
 * Invariant (what makes skipping safe): a byte is read unless its OS page was never touched.
 * Any failure to locate (no /proc, a container hiding pagemap, an unexpected layout, a wasm
 * memory) leaves the space comparing every committed page: slower, never wrong.
 */

import { openSync, readFileSync, readSync } from 'node:fs';
import { Buffer } from 'node:buffer';
import { compareRun, isZeroRange } from './residency.js';

/** Entry bits of /proc/self/pagemap, high word: 63 present, 62 swapped (or migrating). */
const MAYBE_TOUCHED = 0xc0000000;
const AT_PAGESZ = 6;
const SCRATCH_ENTRIES = 8192;

let pagemapFd: number | null | undefined;
let osPageSize: number | undefined;
const scratch = Buffer.alloc(SCRATCH_ENTRIES * 8);
const words = new Uint32Array(scratch.buffer, scratch.byteOffset, SCRATCH_ENTRIES * 2);

/** The process's pagemap, opened once per thread (null where it cannot be read). */
function pagemap(): number | null {
  if (pagemapFd === undefined) {
    try {
      pagemapFd = process.platform === 'linux' ? openSync('/proc/self/pagemap', 'r') : null;
    } catch {
      pagemapFd = null;
    }
  }
  return pagemapFd;
}

/** The kernel's page size, from the auxiliary vector (AT_PAGESZ); 0 when it cannot be read. */
function kernelPageSize(): number {
  if (osPageSize === undefined) {
    osPageSize = 0;
    try {
      const auxv = readFileSync('/proc/self/auxv');
      const v = new DataView(auxv.buffer, auxv.byteOffset, auxv.byteLength);
      for (let at = 0; at + 16 <= auxv.length; at += 16) {
        if (v.getUint32(at, true) === AT_PAGESZ && v.getUint32(at + 4, true) === 0) osPageSize = v.getUint32(at + 8, true);
      }
    } catch {
      osPageSize = 0;
    }
  }
  return osPageSize;
}

/** Reads `count` pagemap entries from OS page `first` into `words` (count ≤ SCRATCH_ENTRIES). */
function readEntries(fd: number, first: number, count: number): boolean {
  const want = count * 8;
  let got = 0;
  while (got < want) {
    const n = readSync(fd, scratch, got, want - got, (first * 8) + got);
    if (n <= 0) return false;
    got += n;
  }
  return true;
}

/** True when OS page `osPage` may have been touched (present or swapped), or pagemap fails. */
function maybeTouched(fd: number, osPage: number): boolean {
  return !readEntries(fd, osPage, 1) || (words[1]! & MAYBE_TOUCHED) !== 0;
}

/**
 * Reads the entries where OS page k of the buffer can lie in each candidate mapping. With
 * `found` null, records which were touched in `state`; otherwise pushes onto `found` the OS page
 * of each entry that was not touched then and is now. False when pagemap cannot be read.
 */
function scanWindow(fd: number, candidates: { first: number; window: number }[], k: number, state: Uint8Array, found: number[] | null): boolean {
  let at = 0;
  for (const c of candidates) {
    for (let done = 0; done < c.window; done += SCRATCH_ENTRIES) {
      const count = Math.min(SCRATCH_ENTRIES, c.window - done);
      const first = c.first + k + done;
      if (!readEntries(fd, first, count)) return false;
      for (let e = 0; e < count; e++, at++) {
        const touched = (words[e * 2 + 1]! & MAYBE_TOUCHED) !== 0 ? 1 : 0;
        if (found === null) state[at] = touched;
        else if (touched && !state[at]) found.push(first + e);
      }
    }
  }
  return true;
}

export class HostPages {
  /** One bit per space page: all its OS pages are known present. */
  private readonly known: Uint32Array;
  /** OS pages a space page spans: r, plus one when the buffer does not start on an OS page. */
  private readonly span: number;

  private constructor(
    private readonly fd: number,
    /** OS page index of the OS page holding the buffer's first byte. */
    readonly base: number,
    /** The buffer's offset in that OS page. */
    readonly offset: number,
    private readonly os: number,
    private readonly pageSize: number,
    pageCount: number,
  ) {
    this.known = new Uint32Array(Math.ceil(pageCount / 32));
    this.span = pageSize / os + (offset > 0 ? 1 : 0);
  }

  /**
   * Finds `bytes`' buffer in the process's mappings and its offset in its first OS page, reading
   * single bytes of up to ~30 untouched pages of it. Returns undefined when the host cannot tell
   * (see the file comment).
   */
  static locate(bytes: Uint8Array, pageSize: number): HostPages | undefined {
    const fd = pagemap();
    const os = kernelPageSize();
    if (fd === null || os === 0 || pageSize % os !== 0) return undefined;
    const size = bytes.byteLength;
    const osPages = Math.floor(size / os);
    // Anonymous read-write mappings long enough to hold the buffer. Linux merges neighbouring
    // ones, so the buffer may sit anywhere in a longer one: window = the OS pages where the
    // buffer's first page can start.
    const candidates: { first: number; window: number }[] = [];
    try {
      for (const line of readFileSync('/proc/self/maps', 'latin1').split('\n')) {
        const m = /^([0-9a-f]+)-([0-9a-f]+) rw-p 00000000 00:00 0\s*$/.exec(line);
        if (!m) continue;
        const start = parseInt(m[1]!, 16) / os;
        const length = parseInt(m[2]!, 16) / os - start;
        if (length >= osPages) candidates.push({ first: start, window: length - osPages + 1 });
      }
    } catch {
      return undefined;
    }
    const windowTotal = candidates.reduce((n, c) => n + c.window, 0);
    if (candidates.length === 0 || windowTotal > 1 << 24) return undefined;
    // Stretches of the buffer likely untouched: from the middle up (the heap grows from the
    // bottom and mappings from the top, so the middle of a space is the last part it uses).
    // Each is checked absent before it is read, and skipped when it is not.
    let next = osPages >>> 1;
    const fresh = (): number => (next += 3) + 1 < osPages ? next : 0;
    // 1. base: read byte k·os and find the one page that went from absent to present among
    //    those where it can fall. Confirmed twice, with two different stretches.
    const before = new Uint8Array(windowTotal);
    let base = -1;
    let agreed = 0;
    for (let trial = 0; trial < 32 && agreed < 2; trial++) {
      const k = fresh();
      if (k <= 0) return undefined;
      if (!scanWindow(fd, candidates, k, before, null)) return undefined;
      const value = bytes[k * os]!;
      const found: number[] = [];
      if (!scanWindow(fd, candidates, k, before, found)) return undefined;
      if (found.length !== 1 || value !== 0) continue;
      const b = found[0]! - k;
      if (agreed > 0 && b !== base) return undefined;
      base = b;
      agreed++;
    }
    if (agreed < 2) return undefined;
    // 2. offset d: the smallest j whose byte (at k·os + j of a fresh stretch) lands in OS page
    //    base + k + 1 is os − d; none means d = 0.
    const present = (q: number): boolean => maybeTouched(fd, q);
    let lo = 0;
    let hi = os; // invariant: bytes at j < lo land in page k; bytes at j ≥ hi land in page k + 1
    for (let tries = 0; lo < hi; tries++) {
      const j = (lo + hi) >>> 1;
      const k = fresh();
      if (k <= 0 || tries > 64) return undefined;
      if (present(base + k) || present(base + k + 1)) continue;
      if (bytes[k * os + j] !== 0) return undefined;
      const inFirst = present(base + k);
      const inSecond = present(base + k + 1);
      if (inFirst === inSecond) return undefined;
      if (inFirst) lo = j + 1;
      else hi = j;
    }
    return new HostPages(fd, base, lo === os ? 0 : os - lo, os, pageSize, Math.ceil(size / pageSize));
  }

  /** True when every OS page under space page p is known present (touched): zeroing it whole faults nothing in. */
  isKnownPresent(p: number): boolean {
    return (this.known[p >>> 5]! & (1 << (p & 31))) !== 0;
  }

  /**
   * For space pages [p0, p0 + n): sets out[i] = 1 when page p0 + i holds a non-zero byte, 0 when
   * it reads as zero. Reads only bytes in OS pages the host has touched (file comment); `bytes`
   * is the space's Buffer. Runs of pages known present are compared together (compareRun).
   *
   * With `clear`, a page some of whose OS pages were never touched has its written parts zeroed
   * here and gets out[i] = 2: the caller must not zero it whole, for writing the untouched part
   * would fault it in (when the buffer does not start on an OS page, every space page straddles
   * two OS pages, and a block's first byte touches only one of them). out[i] = 1 leaves the
   * zeroing to the caller: all the page's OS pages are present.
   */
  written(p0: number, n: number, bytes: Buffer, out: Uint8Array, clear = false): void {
    const ps = this.pageSize;
    const r = ps / this.os;
    // The pages not known present, lo … hi: their entries are read in one stretch (per
    // SCRATCH_ENTRIES), known pages between them included — one pread per call, not per run.
    let lo = -1;
    let hi = -1;
    for (let i = 0; i < n; i++) {
      if (!this.isKnownPresent(p0 + i)) {
        if (lo < 0) lo = i;
        hi = i;
      }
    }
    if (lo < 0) {
      lo = n; // all known present: nothing to ask
      hi = n - 1;
    }
    compareRun(bytes, p0, lo, ps, out, 0);
    const perRead = Math.max(1, Math.floor((SCRATCH_ENTRIES - this.span) / r) + 1);
    for (let a = lo; a <= hi; a += perRead) {
      const b = Math.min(hi + 1, a + perRead);
      if (!readEntries(this.fd, this.base + (p0 + a) * r, (b - a - 1) * r + this.span)) {
        compareRun(bytes, p0 + a, b - a, ps, out, a);
        continue;
      }
      for (let q = a; q < b; q++) {
        out[q] = this.isKnownPresent(p0 + q) ? (isZeroRange(bytes, ((p0 + q) * ps) >>> 0, ps) ? 0 : 1) : this.writtenPage(p0 + q, (q - a) * r, bytes, clear);
      }
    }
    compareRun(bytes, p0 + hi + 1, n - hi - 1, ps, out, hi + 1);
  }

  /**
   * Page p, its entries in `words` from entry e0: compares the parts in present OS pages. Returns
   * 0 (reads zero), 1 (written; all its OS pages present) or 2 (written, some OS page absent;
   * with `clear` its written parts are zeroed already, without touching the absent ones).
   */
  private writtenPage(p: number, e0: number, bytes: Buffer, clear: boolean): number {
    const span = this.span;
    let present = 0;
    for (let e = 0; e < span; e++) if (words[(e0 + e) * 2 + 1]! & MAYBE_TOUCHED) present++;
    const start = (p * this.pageSize) >>> 0;
    if (present === span) {
      this.known[p >>> 5]! |= 1 << (p & 31);
      return isZeroRange(bytes, start, this.pageSize) ? 0 : 1;
    }
    if (present === 0) return 0;
    // Byte b of the page lies in entry ⌊(d + b) / os⌋.
    const os = this.os;
    const d = this.offset;
    let written = 0;
    for (let e = 0; e < span; e++) {
      if (!(words[(e0 + e) * 2 + 1]! & MAYBE_TOUCHED)) continue;
      const from = Math.max(0, e * os - d);
      const to = Math.min(this.pageSize, (e + 1) * os - d);
      if (to <= from || isZeroRange(bytes, start + from, to - from)) continue;
      if (!clear) return 2;
      bytes.fill(0, start + from, start + to);
      written = 2;
    }
    return written;
  }

  /** Whether any OS page under space page p was touched (asks pagemap; for tests and tools). */
  isTouched(p: number): boolean {
    const first = this.base + p * (this.pageSize / this.os);
    if (!readEntries(this.fd, first, this.span)) return true;
    for (let e = 0; e < this.span; e++) if (words[e * 2 + 1]! & MAYBE_TOUCHED) return true;
    return false;
  }
}
