/*
 * Sites as places in the program. A recorded site is a return address (hex); the trace's module
 * map (TraceModule, events.ts: executable mappings with their file offsets) turns it into
 * `module+0xADDR`, where ADDR is the address inside the module's ELF file as `addr2line -e
 * module` takes it — the mapping's file offset translated through the file's PT_LOAD program
 * headers (equal to the file offset when the file cannot be read here) — and, where `addr2line`
 * is installed and the module has debug information, the function and source line of the call.
 *
 * Lookup: the last module in map order that covers the address (a module loaded later over an
 * unloaded one's range wins). Program headers are read once per path; `symbolise` runs
 * addr2line once per module for all of that module's sites (return address − 1, the call
 * itself), never once per site. A site that is not hex, or in no module, stays as written.
 *
 * A function name is kept only when addr2line also found the line (debug information), or when
 * a sized function symbol of the module's .symtab or .dynsym contains the address: without
 * either, addr2line names the nearest exported symbol before the address, which in a stripped
 * program (ls) is some other function.
 */

import { spawnSync } from 'node:child_process';
import { closeSync, openSync, readSync } from 'node:fs';
import { basename } from 'node:path';
import type { TraceModule } from './events.js';
import { openTrace } from './reader.js';

/** Where a site is in the program. */
export interface SiteLocation {
  /** The site as the trace wrote it. */
  site: string;
  /** The module's path, or null when the site is in no module (or not an address). */
  module: string | null;
  /** The address inside the module's file (what addr2line takes); NaN when `module` is null. */
  address: number;
  /** The function, from addr2line (null when unknown or not asked). */
  function: string | null;
  /** `file:line` of the call, from addr2line (null when unknown or not asked). */
  line: string | null;
  /** `module+0xADDR`, with ` function (file:line)` when known; the site itself when not in a module. */
  text: string;
}

/** The address a site names (hex, `0x` optional), or null when it is not one. */
export function siteAddress(site: string): number | null {
  const m = /^(?:0[xX])?([0-9a-fA-F]{1,14})$/.exec(site);
  if (!m) return null;
  const v = parseInt(m[1]!, 16);
  return v <= Number.MAX_SAFE_INTEGER ? v : null;
}

/** The module holding `address`: the last one in map order whose range covers it, or null. */
export function moduleAt(modules: readonly TraceModule[], address: number): TraceModule | null {
  for (let i = modules.length - 1; i >= 0; i--) {
    const m = modules[i]!;
    if (address >= m.start && address < m.end) return m;
  }
  return null;
}

interface Segment {
  offset: number;
  vaddr: number;
  filesz: number;
}

const segmentCache = new Map<string, Segment[] | null>();

/** The 64-byte header of a 64-bit little-endian ELF file open on `fd`, or null. */
function elfHeader(fd: number): Buffer | null {
  const head = Buffer.alloc(64);
  return readSync(fd, head, 0, 64, 0) === 64 && head.readUInt32BE(0) === 0x7f454c46 && head[4] === 2 && head[5] === 1 ? head : null;
}

/** The PT_LOAD segments of a 64-bit little-endian ELF file, or null when it cannot be read as one. */
function loadSegments(path: string): Segment[] | null {
  if (segmentCache.has(path)) return segmentCache.get(path)!;
  let segments: Segment[] | null = null;
  let fd = -1;
  try {
    fd = openSync(path, 'r');
    const head = elfHeader(fd);
    if (head !== null) {
      const phoff = Number(head.readBigUInt64LE(0x20));
      const phentsize = head.readUInt16LE(0x36);
      const phnum = head.readUInt16LE(0x38);
      if (phentsize >= 56 && phnum > 0 && phnum < 4096) {
        const ph = Buffer.alloc(phentsize * phnum);
        if (readSync(fd, ph, 0, ph.length, phoff) === ph.length) {
          segments = [];
          for (let i = 0; i < phnum; i++) {
            const o = i * phentsize;
            if (ph.readUInt32LE(o) !== 1) continue; // PT_LOAD
            segments.push({ offset: Number(ph.readBigUInt64LE(o + 8)), vaddr: Number(ph.readBigUInt64LE(o + 16)), filesz: Number(ph.readBigUInt64LE(o + 32)) });
          }
        }
      }
    }
  } catch {
    segments = null;
  } finally {
    if (fd >= 0) closeSync(fd);
  }
  segmentCache.set(path, segments);
  return segments;
}

/** Sized function symbols of an ELF file (.symtab and .dynsym) as sorted [start, end) pairs. */
const functionCache = new Map<string, Float64Array>();

function functionRanges(path: string): Float64Array {
  const cached = functionCache.get(path);
  if (cached) return cached;
  const ranges: [number, number][] = [];
  let fd = -1;
  try {
    fd = openSync(path, 'r');
    const head = elfHeader(fd);
    if (head !== null) {
      const shoff = Number(head.readBigUInt64LE(0x28));
      const shentsize = head.readUInt16LE(0x3a);
      const shnum = head.readUInt16LE(0x3c);
      const sh = Buffer.alloc(shentsize * shnum);
      if (shentsize >= 64 && shnum > 0 && readSync(fd, sh, 0, sh.length, shoff) === sh.length) {
        for (let i = 0; i < shnum; i++) {
          const o = i * shentsize;
          const type = sh.readUInt32LE(o + 4);
          if (type !== 2 && type !== 11) continue; // SHT_SYMTAB, SHT_DYNSYM
          const offset = Number(sh.readBigUInt64LE(o + 24));
          const size = Number(sh.readBigUInt64LE(o + 32));
          const entsize = Number(sh.readBigUInt64LE(o + 56));
          if (entsize < 24 || size > 2 ** 28) continue;
          const syms = Buffer.alloc(size);
          if (readSync(fd, syms, 0, size, offset) !== size) continue;
          for (let q = 0; q + 24 <= size; q += entsize) {
            const kind = syms[q + 4]! & 0xf;
            const value = Number(syms.readBigUInt64LE(q + 8));
            const length = Number(syms.readBigUInt64LE(q + 16));
            if ((kind === 2 || kind === 10) && value > 0 && length > 0) ranges.push([value, value + length]); // STT_FUNC, STT_GNU_IFUNC
          }
        }
      }
    }
  } catch {
    ranges.length = 0;
  } finally {
    if (fd >= 0) closeSync(fd);
  }
  ranges.sort((x, y) => x[0] - y[0]);
  const out = new Float64Array(2 * ranges.length);
  ranges.forEach(([a, b], i) => {
    out[2 * i] = a;
    out[2 * i + 1] = b;
  });
  functionCache.set(path, out);
  return out;
}

/** Whether a sized function symbol of the module file contains `address` (an address inside the file). */
function inFunctionSymbol(path: string, address: number): boolean {
  const r = functionRanges(path);
  let lo = 0;
  let hi = r.length / 2 - 1;
  let best = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (r[2 * mid]! <= address) {
      best = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  // symbols may nest or overlap: look back over the ones starting at or before the address
  for (let i = best; i >= 0 && i > best - 64; i--) if (address < r[2 * i + 1]! && address >= r[2 * i]!) return true;
  return false;
}

/** The address inside `m`'s file of a runtime address in it: through the PT_LOAD headers, else the file offset. */
export function moduleAddress(m: TraceModule, address: number): number {
  const fileOffset = address - m.start + m.offset;
  const segments = loadSegments(m.path);
  if (segments) {
    for (const s of segments) {
      if (fileOffset >= s.offset && fileOffset < s.offset + s.filesz) return fileOffset - s.offset + s.vaddr;
    }
  }
  return fileOffset;
}

function located(site: string, modules: readonly TraceModule[]): SiteLocation {
  const a = siteAddress(site);
  const m = a === null ? null : moduleAt(modules, a);
  if (a === null || m === null) return { site, module: null, address: NaN, function: null, line: null, text: site };
  const address = moduleAddress(m, a);
  return { site, module: m.path, address, function: null, line: null, text: `${basename(m.path)}+0x${address.toString(16)}` };
}

/** A site as `module+0xADDR` (no addr2line), or the site itself when it is in no module. */
export function formatSite(site: string, modules: readonly TraceModule[]): string {
  return located(site, modules).text;
}

/** Options of `symboliseSites`. */
export interface SymboliseOptions {
  /** Ask addr2line for functions and lines: true (default: when it is installed), false, or the command to run. */
  addr2line?: boolean | string;
}

let addr2lineFound: boolean | null = null;

function addr2lineCommand(option: boolean | string | undefined): string | null {
  if (option === false) return null;
  if (typeof option === 'string') return option;
  if (addr2lineFound === null) addr2lineFound = spawnSync('addr2line', ['--version'], { stdio: 'ignore' }).status === 0;
  return addr2lineFound ? 'addr2line' : null;
}

/**
 * Where each site is: `module+0xADDR` for sites in the module map, with function and line from
 * one addr2line run per module where it is installed. Sites that are not addresses, or in no
 * module, map to themselves. Nulls are skipped.
 */
export function symboliseSites(sites: Iterable<string | null>, modules: readonly TraceModule[], options: SymboliseOptions = {}): Map<string, SiteLocation> {
  if (!Array.isArray(modules)) throw new TypeError('symboliseSites: modules must be an array of TraceModule');
  const out = new Map<string, SiteLocation>();
  const byModule = new Map<string, SiteLocation[]>();
  for (const s of sites) {
    if (s === null || out.has(s)) continue;
    const loc = located(s, modules);
    out.set(s, loc);
    if (loc.module === null) continue;
    let list = byModule.get(loc.module);
    if (!list) byModule.set(loc.module, (list = []));
    list.push(loc);
  }
  const command = modules.length > 0 ? addr2lineCommand(options.addr2line) : null;
  if (command === null) return out;
  for (const [path, locs] of byModule) {
    // the call is the instruction before the return address
    const input = locs.map((l) => `0x${Math.max(0, l.address - 1).toString(16)}`).join('\n') + '\n';
    const r = spawnSync(command, ['-f', '-C', '-e', path], { input, encoding: 'utf8', maxBuffer: 64 * 2 ** 20 });
    if (r.status !== 0 || typeof r.stdout !== 'string') continue;
    const lines = r.stdout.split('\n');
    if (lines.length < 2 * locs.length) continue;
    locs.forEach((l, i) => {
      const fn = lines[2 * i]!.trim();
      const where = lines[2 * i + 1]!.trim();
      if (where && !where.startsWith('??')) l.line = `${basename(where.replace(/ \(discriminator \d+\)$/, ''))}`;
      if (fn && fn !== '??' && (l.line !== null || inFunctionSymbol(path, l.address - 1))) l.function = fn;
      if (l.function !== null) l.text += ` ${l.function}${l.line !== null ? ` (${l.line})` : ''}`;
    });
  }
  return out;
}

/** The module map of a trace file: reads it to the end (module lines may come anywhere). */
export async function traceModules(file: string): Promise<TraceModule[]> {
  const t = await openTrace(file);
  for await (const _ of t.chunks()) {
    // the chunks are read only for the module lines met along the way
  }
  return t.modules;
}
