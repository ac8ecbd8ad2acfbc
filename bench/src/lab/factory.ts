/*
 * From an allocator spec (spec.ts) to a factory that makes it over a space: the registry's
 * allocator (or an adapter such as thing-malloc, registered on first use) with the configured
 * parameters merged under the spec's options, wrapped by the spec's wrappers innermost first,
 * each checked by the registry's schema. `name@module` imports a user's module first (a `.ts`
 * file through tsx) and registers the allocator strategy it exports under its own name, which
 * must be `name`.
 *
 * The resolved parameters (what the instance was really made with) and the wrapper stack are
 * what the ledger records; they come from the instance's identity, not from the spec.
 */

import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { isAllocatorStrategy, parameterSchema, type AddressSpace, type Allocator, type AllocatorStrategy } from '@heaplab/core';
import { UsageError, benchConfig, benchRegistry } from '../allocators.js';
import { adapterStrategies } from '../adapters/index.js';
import { RingBumpAllocator } from '../metrics/bump-allocator.js';
import type { AllocatorSpec, WrapperSpec } from './api.js';
import { SPACE_OPTION, spaceMibOf } from './spec.js';

/**
 * The floor: a bump pointer in a ring whose free does nothing, to time the engine itself. Its ring
 * is as large as the native driver's floor's (bench/native/replay.c, HEAPLAB_FLOOR), 4 MiB.
 */
export const FLOOR_ALLOCATOR = 'ring-bump';
const FLOOR_RING_MIB = 4;

/** Makes the spec's allocator over a space. */
export type SpecFactory = ((space: AddressSpace) => Allocator) & {
  /** The parameters and wrappers of the instances it makes. */
  resolved(): { parameters: Record<string, unknown>; wrappers: WrapperSpec[] };
  /** Constructor names of the last instance made: the allocator's class, then each wrapper's. */
  classes(): string[];
};

async function importModule(file: string): Promise<Record<string, unknown>> {
  const url = pathToFileURL(file).href;
  try {
    return (await import(url)) as Record<string, unknown>;
  } catch (e) {
    if ((e as { code?: string }).code !== 'ERR_UNKNOWN_FILE_EXTENSION') throw e;
  }
  const api = (await import('tsx/esm/api').catch(() => {
    throw new UsageError(`${file} is TypeScript and the tsx package is not installed to load it: compile it to .js or install tsx`);
  })) as { tsImport: (specifier: string, parent: string) => Promise<Record<string, unknown>> };
  return api.tsImport(url, import.meta.url);
}

/** Loads `name@module`: imports it and registers the allocator strategy it exports. */
async function registerModule(spec: AllocatorSpec): Promise<void> {
  const file = resolve(spec.module!);
  let mod: Record<string, unknown>;
  try {
    mod = await importModule(file);
  } catch (e) {
    throw new UsageError(`allocator "${spec.spec}": cannot load ${file}: ${(e as Error).message}`);
  }
  const strategies = Object.values(mod).filter(isAllocatorStrategy) as AllocatorStrategy[];
  const s = strategies.find((x) => x.name === spec.name);
  if (!s) {
    const names = strategies.map((x) => x.name);
    throw new UsageError(`allocator "${spec.spec}": ${file} exports ${names.length ? `the allocator${names.length > 1 ? 's' : ''} ${names.join(', ')}` : 'no allocator strategy (defineAllocator)'}, not "${spec.name}"`);
  }
  const registry = benchRegistry();
  if (!registry.has(s.name)) registry.add(s, { origin: file });
}

/** The factory of a spec (async: a module may have to be imported first). */
export async function specFactory(spec: AllocatorSpec): Promise<SpecFactory> {
  if (spec.name === FLOOR_ALLOCATOR && spec.module === null) {
    const ring = Number(spec.options.ringMib ?? FLOOR_RING_MIB) * 2 ** 20;
    const parameters = { arena: ring };
    return Object.assign((space: AddressSpace): Allocator => new RingBumpAllocator(space, ring), { resolved: () => ({ parameters, wrappers: [] }), classes: () => ['RingBumpAllocator'] });
  }
  const registry = benchRegistry();
  if (spec.module !== null) await registerModule(spec);
  if (!registry.has(spec.name)) {
    const adapter = adapterStrategies().find((s) => s.name === spec.name);
    if (adapter) registry.add(adapter, { origin: 'bench adapter' });
  }
  const entry = registry.get(spec.name);
  if (!entry || entry.strategy.kind !== 'allocator') {
    throw new UsageError(`unknown allocator "${spec.name}"; allocators: ${[...registry.allocatorNames(), ...adapterStrategies().map((s) => s.name).filter((n) => !registry.has(n))].join(', ')}`);
  }
  for (const w of spec.wrappers) {
    const e = registry.get(w.name);
    if (!e || e.strategy.kind !== 'wrapper') throw new UsageError(`allocator "${spec.spec}": unknown wrapper "${w.name}"; wrappers: ${registry.wrapperNames().join(', ')}`);
  }
  const configured = spec.module === null && registry.allocatorNames().includes(spec.name) ? safeParameters(spec.name) : {};
  // spaceMib is the protocol's (the run's space size, spec.ts), not the allocator's.
  const { [SPACE_OPTION]: _space, ...given } = spec.options;
  spaceMibOf(spec);
  const parameters = { ...configured, ...given };
  const layers = spec.wrappers.map((w) => ({ name: w.name, parameters: w.options }));
  // Options are checked against each strategy's schema now, so a bad one is a usage error before
  // any run starts (the registry checks them again when it makes an instance).
  const check = (name: string, entryParameters: Record<string, unknown>, given: Record<string, unknown>): void => {
    const e = registry.get(name)!;
    const r = parameterSchema(e.strategy).safeParse({ ...entryParameters, ...given });
    if (!r.success) {
      const issue = r.error.issues[0]!;
      const key = issue.path.join('.') || ((issue as { keys?: string[] }).keys ?? []).join(', ');
      throw new UsageError(`allocator "${spec.spec}": ${name}${key ? ` option ${key}` : ''}: ${issue.message}`);
    }
  };
  check(spec.name, entry.parameters, parameters);
  for (const w of spec.wrappers) check(w.name, registry.get(w.name)!.parameters, w.options);
  let resolved: { parameters: Record<string, unknown>; wrappers: WrapperSpec[] } | null = null;
  const make = (space: AddressSpace): Allocator => {
    const leaf = registry.create(spec.name, space, parameters);
    let a: Allocator = leaf;
    const classes = [leaf.constructor.name];
    for (const l of layers) {
      a = registry.wrap(a, [l]);
      classes.push(a.constructor.name);
    }
    made.classes = classes;
    if (resolved === null) resolved = { parameters: { ...leaf.identity.parameters }, wrappers: spec.wrappers.map((w) => ({ name: w.name, options: { ...w.options } })) };
    return a;
  };
  const made: { classes: string[] } = { classes: [] };
  return Object.assign(make, {
    resolved: () => resolved ?? { parameters, wrappers: spec.wrappers },
    classes: () => made.classes,
  });
}

function safeParameters(name: string): Record<string, unknown> {
  try {
    return { ...benchConfig().parametersOf(name) };
  } catch {
    return {};
  }
}
