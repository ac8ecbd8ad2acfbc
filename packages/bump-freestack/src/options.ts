/*
 * Option validation: every option checked by name, with what was expected, before anything is
 * mapped. Dependencies between options are checked here too (runBytes and growBytes are page
 * multiples; the largest class fits in a run of growBytes).
 */

import { ConfigError } from '@heaplab/core';
import { DEFAULT_OPTIONS, type BumpFreestackOptions } from './api.js';

const KEYS = Object.keys(DEFAULT_OPTIONS) as (keyof BumpFreestackOptions)[];

function isPow2(n: number): boolean {
  return Number.isSafeInteger(n) && n > 0 && (n & (n - 1)) === 0;
}

function fail(key: string, expected: string, got: unknown): never {
  throw new ConfigError(`allocators.bump-freestack.${key}`, 'createBumpFreestackAllocator options', `${expected}, got ${JSON.stringify(got)}`);
}

/** The options after defaults, validated; throws ConfigError naming the bad key. */
export function resolveOptions(partial: Partial<BumpFreestackOptions>, pageSize: number): BumpFreestackOptions {
  if (partial === null || typeof partial !== 'object') fail('(options)', 'an object', partial);
  for (const k of Object.keys(partial)) if (!KEYS.includes(k as keyof BumpFreestackOptions)) fail(k, `a known option (${KEYS.join(', ')})`, k);
  const o: BumpFreestackOptions = { ...DEFAULT_OPTIONS };
  for (const k of KEYS) if (partial[k] !== undefined) (o as unknown as Record<string, unknown>)[k] = partial[k];
  if (!isPow2(o.largestClass) || o.largestClass < 256 || o.largestClass > 2 ** 20) fail('largestClass', 'a power of two from 256 to 1048576', o.largestClass);
  if (!Number.isSafeInteger(o.mmapThreshold) || o.mmapThreshold < 0 || o.mmapThreshold > o.largestClass) fail('mmapThreshold', `an integer from 0 to largestClass (${o.largestClass})`, o.mmapThreshold);
  if (typeof o.dynamicThreshold !== 'boolean') fail('dynamicThreshold', 'a boolean', o.dynamicThreshold);
  if (![1, 2, 4, 8].includes(o.classesPerDoubling)) fail('classesPerDoubling', '1, 2, 4 or 8', o.classesPerDoubling);
  if (!Number.isSafeInteger(o.runBytes) || o.runBytes < pageSize || o.runBytes % pageSize !== 0 || o.runBytes > 2 ** 24) fail('runBytes', `a multiple of the page size (${pageSize}) up to 16 MiB`, o.runBytes);
  if (!Number.isSafeInteger(o.growBytes) || o.growBytes < pageSize || o.growBytes % pageSize !== 0) fail('growBytes', `a positive multiple of the page size (${pageSize})`, o.growBytes);
  if (!Number.isSafeInteger(o.cacheBlocks) || o.cacheBlocks < 0 || o.cacheBlocks > 1024 || o.cacheBlocks % 2 !== 0) fail('cacheBlocks', 'an even integer from 0 to 1024', o.cacheBlocks);
  if (!Number.isSafeInteger(o.cacheBytes) || o.cacheBytes < 0) fail('cacheBytes', 'a non-negative integer', o.cacheBytes);
  if (typeof o.fifo !== 'boolean') fail('fifo', 'a boolean', o.fifo);
  if (typeof o.reclaimOnOom !== 'boolean') fail('reclaimOnOom', 'a boolean', o.reclaimOnOom);
  if (typeof o.safeLinking !== 'boolean') fail('safeLinking', 'a boolean', o.safeLinking);
  if (!Number.isSafeInteger(o.maxWorkers) || o.maxWorkers < 1 || o.maxWorkers > 256) fail('maxWorkers', 'an integer from 1 to 256', o.maxWorkers);
  return o;
}
