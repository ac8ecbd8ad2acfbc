/*
 * Core's wrappers as registry strategies, so configuration can stack them by name
 * (`"wrappers": ["tracing", "checking"]`) with parameters (`"wrapperOptions": {…}`). Every
 * registry holds these four.
 *
 * tracing's `file` parameter streams the v1 text to a file (written synchronously, one append
 * per full chunk and on flush()); empty keeps the trace in memory (`text()`).
 */

import { appendFileSync, writeFileSync } from 'node:fs';
import { z } from 'zod';
import type { Allocator } from '../api.js';
import { defineWrapper, type WrapperStrategy } from '../registry/strategy.js';
import { encodeTextChunk, textHeader } from '../trace/text.js';
import { CHECKING_DEFAULTS, CheckingAllocator, type CheckingOptions } from './checking.js';
import { LOCKED_DEFAULTS, LockedAllocator, type LockedOptions } from './locked.js';
import { STATS_DEFAULTS, StatsAllocator, type StatsOptions } from './stats.js';
import { TRACING_DEFAULTS, TracingAllocator, type TracingOptions } from './tracing.js';

type TracingParameters = Omit<TracingOptions, 'onChunk'> & { file: string };

export const tracingStrategy: WrapperStrategy<TracingParameters> = defineWrapper<TracingParameters>({
  name: 'tracing',
  description: 'every call to a heaplab-trace v1 stream, with its site',
  defaults: { ...TRACING_DEFAULTS, file: '' },
  choices: { sites: ['given', 'stack'] },
  schema: { chunkEvents: z.number().int().min(1) },
  wrap(inner: Allocator, p: Partial<TracingParameters>): Allocator {
    const { file, ...options } = p;
    if (!file) return new TracingAllocator(inner, options);
    writeFileSync(file, textHeader(options.program ?? TRACING_DEFAULTS.program));
    return new TracingAllocator(inner, { ...options, onChunk: (c) => appendFileSync(file, encodeTextChunk(c)) });
  },
});

export const checkingStrategy: WrapperStrategy<CheckingOptions> = defineWrapper<CheckingOptions>({
  name: 'checking',
  description: 'red zones and a shadow of block sizes: overflow, double and invalid free under any allocator',
  defaults: CHECKING_DEFAULTS,
  choices: { sites: ['given', 'stack'] },
  schema: { redZone: z.number().int().min(1).max(4096) },
  wrap: (inner, p) => new CheckingAllocator(inner, p),
});

export const statsStrategy: WrapperStrategy<StatsOptions> = defineWrapper<StatsOptions>({
  name: 'stats',
  description: 'per-size histograms of requests and live blocks',
  defaults: STATS_DEFAULTS,
  wrap: (inner, p) => new StatsAllocator(inner, p),
});

export const lockedStrategy: WrapperStrategy<LockedOptions> = defineWrapper<LockedOptions>({
  name: 'locked',
  description: 'an Atomics mutex in the shared memory around every call, so workers can share any allocator',
  defaults: LOCKED_DEFAULTS,
  wrap: (inner, p) => new LockedAllocator(inner, p),
});

/** The wrappers every registry holds. */
export const CORE_WRAPPERS: readonly WrapperStrategy<any>[] = [tracingStrategy, checkingStrategy, statsStrategy, lockedStrategy]; // eslint-disable-line @typescript-eslint/no-explicit-any
