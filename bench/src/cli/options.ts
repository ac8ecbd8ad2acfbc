/*
 * Parsing of command-line values shared by every command: counts, sizes, addresses. Each error
 * names the flag and what was expected.
 *
 * Sizes take a binary unit suffix (k, m, g, t: powers of 1024, case-insensitive, an optional
 * trailing "b" or "ib"): `256m`, `4g`, `128t`, `4096` (bytes). Address spaces reach 2^47 bytes
 * (128t, a Linux x86-64 process's user space); spaces above 4 GiB are paged (core README).
 */

import { UsageError } from '../allocators.js';

/** The largest address space: 2^47 bytes. */
export const MAX_SPACE = 2 ** 47;
const MiB = 2 ** 20;
const UNITS: Record<string, number> = { '': 1, k: 2 ** 10, m: 2 ** 20, g: 2 ** 30, t: 2 ** 40 };

/** A non-negative integer flag value. */
export function parseCount(raw: string, flag: string): number {
  const n = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(n)) throw new UsageError(`${flag}: expected a non-negative integer, got "${raw}"`);
  return n;
}

/** An address: decimal or 0x-prefixed hex, below 2^47 (the largest space). */
export function parseAddress(raw: string, flag: string): number {
  const t = raw.trim().toLowerCase();
  const n = /^0x[0-9a-f]+$/.test(t) ? parseInt(t.slice(2), 16) : /^\d+$/.test(t) ? Number(t) : NaN;
  if (!Number.isSafeInteger(n) || n >= MAX_SPACE) throw new UsageError(`${flag}: expected an address (decimal or 0x hex, below 2^47), got "${raw}"`);
  return n;
}

/** A byte size with an optional binary unit: `4096`, `64k`, `256m`, `4g`, `128t` (also `4GiB`, `4gb`). */
export function parseSize(raw: string, flag: string): number {
  const m = /^(\d+)\s*([kmgt]?)(?:i?b)?$/i.exec(raw.trim());
  const n = m ? Number(m[1]) * UNITS[m[2]!.toLowerCase()]! : NaN;
  if (!Number.isSafeInteger(n)) throw new UsageError(`${flag}: expected a size such as 4096, 256m, 4g or 128t (k, m, g, t are powers of 1024), got "${raw}"`);
  return n;
}

/**
 * The address-space size of a run in MiB, from `--space <size>` or `--space-mib <n>` (at most
 * one of them; default 4096 = 4 GiB): a whole number of MiB from 1 MiB to 2^47 bytes.
 */
export function parseSpaceMib(opts: { space?: string; spaceMib?: string }, fallback = 4096): number {
  if (opts.space !== undefined && opts.spaceMib !== undefined) throw new UsageError('--space and --space-mib: give one of them');
  if (opts.spaceMib !== undefined) {
    const mib = parseCount(opts.spaceMib, '--space-mib');
    if (mib < 1 || mib > MAX_SPACE / MiB) throw new UsageError(`--space-mib: expected 1 to ${MAX_SPACE / MiB} (2^47 bytes), got ${mib}`);
    return mib;
  }
  if (opts.space === undefined) return fallback;
  const bytes = parseSize(opts.space, '--space');
  if (bytes < MiB || bytes > MAX_SPACE || bytes % MiB !== 0) {
    throw new UsageError(`--space: expected a whole number of MiB from 1m to 128t (2^47 bytes), got "${opts.space}"`);
  }
  return bytes / MiB;
}
