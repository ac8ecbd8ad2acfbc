/*
 * Resolving and validating zoned-classes options: a preset (default `default`) with the given
 * options laid over it, every value checked by name, then the dependencies between options
 * (as hardened_malloc's build rejects a bad CONFIG_ value by name and checks that the
 * write-after-free check has zero-on-free under it). Every error is a ConfigError whose key is
 * the option's name.
 */

import { ConfigError } from '@heaplab/core';
import { PRESETS, type PresetName, type ZonedInit, type ZonedOptions } from './api.js';

const SOURCE = 'zoned-classes options';

type Kind = 'boolean' | 'count' | 'positive' | 'share' | 'bytes' | 'seed';

/** What each option must be. */
const KINDS: Readonly<Record<keyof ZonedOptions, Kind>> = {
  zeroOnFree: 'boolean',
  writeAfterFreeCheck: 'boolean',
  slotRandomize: 'boolean',
  slabCanary: 'boolean',
  slabQuarantineRandomLength: 'count',
  slabQuarantineQueueLength: 'count',
  extendedSizeClasses: 'boolean',
  largeSizeClasses: 'boolean',
  guardSlabInterval: 'positive',
  guardSizeDivisor: 'positive',
  regionQuarantineRandomLength: 'count',
  regionQuarantineQueueLength: 'count',
  regionQuarantineSkipThreshold: 'bytes',
  emptySlabCacheBytes: 'bytes',
  freeSlabsQuarantineRandomLength: 'count',
  zoneShare: 'share',
  seed: 'seed',
};

const EXPECTED: Readonly<Record<Kind, string>> = {
  boolean: 'a boolean',
  count: 'an integer from 0 to 65536',
  positive: 'an integer from 1 to 65536',
  share: 'a number strictly between 0 and 1',
  bytes: 'a non-negative integer number of bytes up to 2^32',
  seed: 'an integer from 0 to 2^32 − 1',
};

function valid(kind: Kind, v: unknown): boolean {
  switch (kind) {
    case 'boolean': return typeof v === 'boolean';
    case 'count': return Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 65536;
    case 'positive': return Number.isInteger(v) && (v as number) >= 1 && (v as number) <= 65536;
    case 'share': return typeof v === 'number' && v > 0 && v < 1;
    case 'bytes': return Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 2 ** 32;
    case 'seed': return Number.isInteger(v) && (v as number) >= 0 && (v as number) < 2 ** 32;
  }
}

/** The preset with `init` laid over it, every option validated. Throws ConfigError naming the option. */
export function resolveOptions(init: ZonedInit = {}): Readonly<ZonedOptions> {
  if (init === null || typeof init !== 'object') throw new ConfigError('options', SOURCE, `an object, got ${String(init)}`);
  const presetName: PresetName = init.preset ?? 'default';
  if (!Object.hasOwn(PRESETS, presetName)) throw new ConfigError('preset', SOURCE, `one of ${Object.keys(PRESETS).join(', ')}, got ${String(presetName)}`);
  const out: Record<string, unknown> = { ...PRESETS[presetName] };
  for (const [key, value] of Object.entries(init)) {
    if (key === 'preset' || value === undefined) continue;
    if (!Object.hasOwn(KINDS, key)) throw new ConfigError(key, SOURCE, `a known option (${Object.keys(KINDS).join(', ')}); "${key}" is not one`);
    const kind = KINDS[key as keyof ZonedOptions];
    if (!valid(kind, value)) throw new ConfigError(key, SOURCE, `${EXPECTED[kind]}, got ${String(value)}`);
    out[key] = value;
  }
  const o = out as unknown as ZonedOptions;
  if (o.writeAfterFreeCheck && !o.zeroOnFree) {
    throw new ConfigError('writeAfterFreeCheck', SOURCE, 'false when zeroOnFree is false (the write-after-free check needs freed slots zeroed)');
  }
  return Object.freeze(o);
}
