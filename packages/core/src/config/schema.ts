/*
 * The schema of heaplab.config.json, as zod schemas, and the shape of the resolved
 * configuration. Every key has a path (`fuzz.runs`, `allocators.dlmalloc-style.mmapThreshold`)
 * and an environment variable (env.ts). The static sections are checked here; each allocator's
 * and wrapper's parameters are checked against the schema its strategy derives
 * (registry/strategy.ts), since which allocators exist is known only once modules are loaded.
 *
 *   {
 *     "default": "dlmalloc-style",                       the allocator ALLOCATOR resolves to
 *     "space": { "size": 4294967296, "pageSize": 4096, "backing": "array" },
 *     "allocators": {
 *       "dlmalloc-style": { "mmapThreshold": 131072 },   parameters of a built-in
 *       "first-fit": { "module": "./examples/first-fit/first-fit.ts", "growBy": 65536 }
 *     },                                                  a custom allocator: module path relative to this file
 *     "wrappers": ["tracing", "checking"],               the stack, outermost first
 *     "wrapperOptions": { "checking": { "redZone": 32 } },
 *     "fuzz": { "runs": 1000, "seed": 1 },
 *     "bench": { "operations": 2000000, "repeats": 7, "seed": 1 }
 *   }
 */

import { z } from 'zod';
import type { Backing } from '../api.js';

const uint = () => z.number().int().nonnegative();

/** Defaults of the settings sections (the allocators' own defaults live with their strategies). */
export const SETTINGS_DEFAULTS = Object.freeze({
  space: Object.freeze({ size: 2 ** 32, pageSize: 4096, backing: 'array' as Backing }),
  fuzz: Object.freeze({ runs: 1000, seed: 1 }),
  bench: Object.freeze({ operations: 2_000_000, repeats: 7, seed: 1 }),
});

export const spaceSchema = z.strictObject({
  size: z.number().int().min(2 ** 16).max(2 ** 32).optional(),
  pageSize: z.literal([4096, 65536]).optional(),
  backing: z.enum(['array', 'shared', 'wasm']).optional(),
});

export const fuzzSchema = z.strictObject({
  runs: uint().optional(),
  seed: uint().optional(),
});

export const benchSchema = z.strictObject({
  operations: z.number().int().positive().optional(),
  repeats: z.number().int().positive().optional(),
  seed: uint().optional(),
});

/** A name of an allocator or wrapper: a word of lower-case letters, digits and dashes. */
export const nameSchema = z.string().regex(/^[a-z][a-z0-9-]*$/, 'a name of lower-case letters, digits and dashes');

/** The file as a whole. Allocator and wrapper parameter objects are checked afterwards, per strategy. */
export const fileSchema = z.strictObject({
  $schema: z.string().optional(),
  default: nameSchema.optional(),
  space: spaceSchema.optional(),
  allocators: z.record(nameSchema, z.record(z.string(), z.unknown())).optional(),
  wrappers: z.array(nameSchema).optional(),
  wrapperOptions: z.record(nameSchema, z.record(z.string(), z.unknown())).optional(),
  fuzz: fuzzSchema.optional(),
  bench: benchSchema.optional(),
});

/** The keys a custom allocator's section has beside its parameters. */
export const MODULE_KEYS = ['module', 'export'] as const;

/** The file's content after validation (every section optional). */
export type ConfigFile = z.infer<typeof fileSchema>;

/** Settings every tool reads, after defaults. */
export interface Settings {
  space: { size: number; pageSize: number; backing: Backing };
  fuzz: { runs: number; seed: number };
  bench: { operations: number; repeats: number; seed: number };
}
