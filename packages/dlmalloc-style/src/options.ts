/*
 * Options: merged over the defaults, validated with an error naming the option, and resolved to
 * the numbers the allocator keeps in its state page (policy code, thresholds, dynamic flag).
 */

import { DEFAULT_OPTIONS, type DlmallocOptions, type PlacementPolicy } from './api.js';
import { MAX_HEAP_REQUEST, MMAP_THRESHOLD_MIN, TRIM_THRESHOLD_DEFAULT } from './layout.js';

export const POLICY_BEST = 0;
export const POLICY_FIRST = 1;
export const POLICY_NEXT = 2;
const POLICIES: Record<PlacementPolicy, number> = { 'best-fit': POLICY_BEST, 'first-fit': POLICY_FIRST, 'next-fit': POLICY_NEXT };

/** The options after defaults and validation, with their numeric forms. */
export interface ResolvedOptions {
  options: Readonly<DlmallocOptions>;
  policy: number;
  mmapThreshold: number;
  trimThreshold: number;
  dynamic: boolean;
}

function fail(key: string, expected: string, got: unknown): never {
  throw new TypeError(`dlmalloc-style: option ${key} must be ${expected}, got ${typeof got === 'string' ? `"${got}"` : String(got)}`);
}

function intIn(key: string, v: unknown, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > max) fail(key, `an integer 0 … ${max}`, v);
  return v;
}

/** Merges `given` over DEFAULT_OPTIONS and validates every key; unknown keys are errors. */
export function resolveOptions(given: Partial<DlmallocOptions> = {}): ResolvedOptions {
  if (given === null || typeof given !== 'object') fail('(options)', 'an object', given);
  for (const k of Object.keys(given)) {
    if (!(k in DEFAULT_OPTIONS)) fail(k, `one of ${Object.keys(DEFAULT_OPTIONS).join(', ')} (unknown option)`, k);
  }
  const o: DlmallocOptions = { ...DEFAULT_OPTIONS };
  for (const [k, v] of Object.entries(given)) if (v !== undefined) (o as unknown as Record<string, unknown>)[k] = v;
  if (!(o.policy in POLICIES)) fail('policy', `one of ${Object.keys(POLICIES).join(', ')}`, o.policy);
  const mmapThreshold = o.mmapThreshold === 'dynamic' ? MMAP_THRESHOLD_MIN : intIn('mmapThreshold', o.mmapThreshold, MAX_HEAP_REQUEST);
  const trimThreshold = o.trimThreshold === 'dynamic' ? TRIM_THRESHOLD_DEFAULT : intIn('trimThreshold', o.trimThreshold, 2 ** 32 - 1);
  intIn('topPad', o.topPad, MAX_HEAP_REQUEST);
  intIn('tcache', o.tcache, 255);
  intIn('releaseThreshold', o.releaseThreshold, 2 ** 32 - 1);
  intIn('unmapHistory', o.unmapHistory, 65536);
  if (typeof o.safeLinking !== 'boolean') fail('safeLinking', 'a boolean', o.safeLinking);
  return {
    options: Object.freeze(o),
    policy: POLICIES[o.policy],
    mmapThreshold,
    trimThreshold,
    dynamic: o.mmapThreshold === 'dynamic' && o.trimThreshold === 'dynamic',
  };
}
