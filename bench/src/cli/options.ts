/*
 * Parsing of command-line values shared by every command: counts, sizes, addresses. Each error
 * names the flag and what was expected.
 */

import { UsageError } from '../allocators.js';

/** A non-negative integer flag value. */
export function parseCount(raw: string, flag: string): number {
  const n = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(n)) throw new UsageError(`${flag}: expected a non-negative integer, got "${raw}"`);
  return n;
}

/** An address: decimal or 0x-prefixed hex. */
export function parseAddress(raw: string, flag: string): number {
  const t = raw.trim().toLowerCase();
  const n = /^0x[0-9a-f]+$/.test(t) ? parseInt(t.slice(2), 16) : /^\d+$/.test(t) ? Number(t) : NaN;
  if (!Number.isSafeInteger(n) || n >= 2 ** 32) throw new UsageError(`${flag}: expected an address (decimal or 0x hex, below 2^32), got "${raw}"`);
  return n;
}
