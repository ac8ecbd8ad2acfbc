/*
 * Strategies: what the registry knows of an allocator or wrapper kind — its name, family,
 * description, parameters with their defaults, and how to make an instance. An instance made
 * from a strategy gets its own identity (the strategy is the kind; the identity is the instance).
 *
 * A strategy's parameter schema is derived from its defaults (a boolean default takes booleans,
 * an integer default ≥ 0 takes non-negative integers, a string default takes strings, or one of
 * `choices` when given), strict: an unknown parameter is an error naming the ones that exist.
 * A parameter whose type the default cannot say (a number or `'dynamic'`) gets its zod schema in
 * `schema` (core re-exports `z`, so a package needs no zod of its own).
 */

import { z } from 'zod';
import type { Allocator } from '../api.js';
import type { AddressSpace } from '../space/address-space.js';

/** Parameter values as configuration carries them. */
export type Parameters = Record<string, unknown>;

interface StrategyCommon<P extends object> {
  /** Registry name: lower-case letters, digits and dashes. */
  readonly name: string;
  /** One sentence on what it is. */
  readonly description: string;
  /** Every parameter with its default (the schema is derived from these). */
  readonly defaults: Readonly<P>;
  /** Allowed values of string parameters. */
  readonly choices?: { readonly [K in keyof P]?: readonly string[] };
  /** zod schemas of parameters the default cannot describe (they win over `choices` and the default's type). */
  readonly schema?: { readonly [K in keyof P]?: z.ZodType };
}

/** An allocator kind. */
export interface AllocatorStrategy<P extends object = Parameters> extends StrategyCommon<P> {
  readonly kind: 'allocator';
  /** Design family, e.g. `segregated-fit`. */
  readonly family: string;
  /** Makes an instance over a space, with parameters over the defaults. */
  create(space: AddressSpace, parameters: Partial<P>): Allocator;
  /**
   * What the design promises once everything is freed after an out-of-memory, as the conformance
   * kit's recovery check asks it (`@heaplab/core/testing`, `oomRecovery`): `any-size` (any
   * request that a fresh allocator serves is served again) or `same-size` (only the size that
   * filled the space: a design that keeps memory carved for one size class, such as Felker's,
   * says so here). Tools that fuzz by name (`heaplab fuzz`) pass it on. Default `any-size`.
   */
  readonly oomRecovery?: 'any-size' | 'same-size';
}

/** A wrapper kind. */
export interface WrapperStrategy<P extends object = Parameters> extends StrategyCommon<P> {
  readonly kind: 'wrapper';
  /** Wraps an allocator, with parameters over the defaults. */
  wrap(inner: Allocator, parameters: Partial<P>): Allocator;
}

export type Strategy = AllocatorStrategy<any> | WrapperStrategy<any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const NAME = /^[a-z][a-z0-9-]*$/;

function checkCommon(s: StrategyCommon<object>, what: string): void {
  if (typeof s.name !== 'string' || !NAME.test(s.name)) throw new TypeError(`${what}: name must be lower-case letters, digits and dashes, got ${JSON.stringify(s.name)}`);
  if (typeof s.description !== 'string' || s.description === '') throw new TypeError(`${what} ${s.name}: description must be a non-empty string`);
  if (!s.defaults || typeof s.defaults !== 'object') throw new TypeError(`${what} ${s.name}: defaults must be an object of every parameter with its default`);
}

/** Declares an allocator kind (validates it). */
export function defineAllocator<P extends object>(s: Omit<AllocatorStrategy<P>, 'kind'>): AllocatorStrategy<P> {
  checkCommon(s, 'defineAllocator');
  if (typeof s.family !== 'string' || s.family === '') throw new TypeError(`defineAllocator ${s.name}: family must be a non-empty string`);
  if (typeof s.create !== 'function') throw new TypeError(`defineAllocator ${s.name}: create(space, parameters) must be a function`);
  if (s.oomRecovery !== undefined && s.oomRecovery !== 'any-size' && s.oomRecovery !== 'same-size') throw new TypeError(`defineAllocator ${s.name}: oomRecovery must be 'any-size' or 'same-size', got ${JSON.stringify(s.oomRecovery)}`);
  return Object.freeze({ ...s, kind: 'allocator' as const });
}

/** Declares a wrapper kind (validates it). */
export function defineWrapper<P extends object>(s: Omit<WrapperStrategy<P>, 'kind'>): WrapperStrategy<P> {
  checkCommon(s, 'defineWrapper');
  if (typeof s.wrap !== 'function') throw new TypeError(`defineWrapper ${s.name}: wrap(inner, parameters) must be a function`);
  return Object.freeze({ ...s, kind: 'wrapper' as const });
}

/** True when a value looks like an allocator strategy (what a custom module must export). */
export function isAllocatorStrategy(v: unknown): v is AllocatorStrategy {
  const s = v as AllocatorStrategy | null;
  return typeof s === 'object' && s !== null && s.kind === 'allocator' && typeof s.name === 'string' && typeof s.create === 'function' && typeof s.defaults === 'object';
}

const schemas = new WeakMap<object, z.ZodObject>();

/** The strict zod schema of a strategy's parameters (every key optional). */
export function parameterSchema(s: Strategy): z.ZodObject {
  let schema = schemas.get(s);
  if (schema) return schema;
  const shape: Record<string, z.ZodType> = {};
  for (const [key, def] of Object.entries(s.defaults as Record<string, unknown>)) {
    const choices = (s.choices as Record<string, readonly string[]> | undefined)?.[key];
    const given = (s.schema as Record<string, z.ZodType> | undefined)?.[key];
    let t: z.ZodType;
    if (given) t = given;
    else if (choices) t = z.enum(choices as [string, ...string[]]);
    else if (typeof def === 'boolean') t = z.boolean();
    else if (typeof def === 'number') t = Number.isInteger(def) ? (def >= 0 ? z.number().int().nonnegative() : z.number().int()) : z.number();
    else if (typeof def === 'string') t = z.string();
    else t = z.unknown();
    shape[key] = t.optional();
  }
  schema = z.strictObject(shape);
  schemas.set(s, schema);
  return schema;
}
