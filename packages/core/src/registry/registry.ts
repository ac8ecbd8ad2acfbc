/*
 * The strategy registry: the allocator and wrapper kinds known by name, where each came from,
 * and how to make an instance with parameters (validated against the kind's schema) and stack
 * wrappers on it in a declared order. Core's wrappers (tracing, checking, stats, locked) are in
 * every registry; allocator packages add theirs with `register(container)`, custom allocators
 * come from configuration (a module path) the same way.
 *
 * Invariants: names are unique across allocators and wrappers; an entry never changes once
 * added except its registered parameters and `default` flag.
 */

import type { Allocator } from '../api.js';
import { ConfigError } from '../errors.js';
import type { AddressSpace } from '../space/address-space.js';
import { parameterSchema, type AllocatorStrategy, type Parameters, type Strategy, type WrapperStrategy } from './strategy.js';
import { CORE_WRAPPERS } from '../wrappers/strategies.js';

/** A strategy as registered. */
export interface RegistryEntry<S extends Strategy = Strategy> {
  readonly strategy: S;
  /** `built-in`, a package name, or the module path of a custom allocator. */
  readonly origin: string;
  /** Parameters given at registration, over the strategy's defaults (configuration goes over these). */
  parameters: Parameters;
}

/** How `register(container, options)` is called. */
export interface RegisterOptions {
  /** Parameters over the strategy's defaults for this container (configuration still wins). */
  parameters?: Parameters;
  /** Make this the default allocator (configuration's `default` still wins). */
  default?: boolean;
}

/** One layer of a wrapper stack. */
export interface WrapperLayer {
  name: string;
  parameters?: Parameters;
}

export class Registry {
  private readonly entries = new Map<string, RegistryEntry>();
  /** Name of the allocator marked default at registration, or null. */
  defaultName: string | null = null;

  constructor() {
    for (const w of CORE_WRAPPERS) this.add(w, { origin: '@heaplab/core' });
  }

  /** Adds a strategy (again with the same strategy: updates parameters). A name taken by another strategy is an error. */
  add(strategy: Strategy, options: RegisterOptions & { origin?: string } = {}): RegistryEntry {
    const known = this.entries.get(strategy.name);
    if (known && known.strategy !== strategy && !(known.origin === options.origin && known.strategy.kind === strategy.kind)) {
      throw new TypeError(`the name "${strategy.name}" is already registered (${known.strategy.kind} from ${known.origin})`);
    }
    const parameters = { ...(options.parameters ?? {}) };
    const r = parameterSchema(strategy).safeParse(parameters);
    if (!r.success) {
      const issue = r.error.issues[0]!;
      throw new TypeError(`register ${strategy.name}: parameter ${issue.path.join('.') || (issue as { keys?: string[] }).keys?.join(', ')}: ${issue.message}`);
    }
    const entry: RegistryEntry = { strategy, origin: options.origin ?? known?.origin ?? 'built-in', parameters };
    this.entries.set(strategy.name, entry);
    if (options.default) {
      if (strategy.kind !== 'allocator') throw new TypeError(`register ${strategy.name}: a wrapper cannot be the default allocator`);
      this.defaultName = strategy.name;
    }
    return entry;
  }

  has(name: string): boolean {
    return this.entries.has(name);
  }

  /** The entry of a name, or null. */
  get(name: string): RegistryEntry | null {
    return this.entries.get(name) ?? null;
  }

  /** Allocator entries, in registration order. */
  allocators(): RegistryEntry<AllocatorStrategy>[] {
    return [...this.entries.values()].filter((e): e is RegistryEntry<AllocatorStrategy> => e.strategy.kind === 'allocator');
  }

  /** Wrapper entries, in registration order. */
  wrappers(): RegistryEntry<WrapperStrategy>[] {
    return [...this.entries.values()].filter((e): e is RegistryEntry<WrapperStrategy> => e.strategy.kind === 'wrapper');
  }

  /** Names of the allocators. */
  allocatorNames(): string[] {
    return this.allocators().map((e) => e.strategy.name);
  }

  /** Names of the wrappers. */
  wrapperNames(): string[] {
    return this.wrappers().map((e) => e.strategy.name);
  }

  private entry<K extends 'allocator' | 'wrapper'>(name: string, kind: K): RegistryEntry<K extends 'allocator' ? AllocatorStrategy : WrapperStrategy> {
    const e = this.entries.get(name);
    if (!e || e.strategy.kind !== kind) {
      const names = kind === 'allocator' ? this.allocatorNames() : this.wrapperNames();
      throw new ConfigError(kind === 'allocator' ? 'allocator' : 'wrapper', `name "${name}"`, `one of the registered ${kind}s: ${names.join(', ') || '(none)'}`);
    }
    return e as RegistryEntry<K extends 'allocator' ? AllocatorStrategy : WrapperStrategy>;
  }

  /** Makes an allocator by name over a space: strategy defaults < registered parameters < `parameters`. */
  create(name: string, space: AddressSpace, parameters: Parameters = {}): Allocator {
    const e = this.entry(name, 'allocator');
    return e.strategy.create(space, this.merged(e, parameters));
  }

  /** Wraps an allocator in layers given outermost first: `[tracing, checking]` makes tracing(checking(a)). */
  wrap(allocator: Allocator, layers: readonly WrapperLayer[]): Allocator {
    let a = allocator;
    for (let k = layers.length - 1; k >= 0; k--) {
      const layer = layers[k]!;
      const e = this.entry(layer.name, 'wrapper');
      a = e.strategy.wrap(a, this.merged(e, layer.parameters ?? {}));
    }
    return a;
  }

  private merged(e: RegistryEntry, parameters: Parameters): Parameters {
    const all = { ...e.parameters, ...parameters };
    const r = parameterSchema(e.strategy).safeParse(all);
    if (!r.success) {
      const issue = r.error.issues[0]!;
      const key = issue.path.length > 0 ? issue.path.join('.') : ((issue as { keys?: string[] }).keys ?? []).join(', ');
      throw new ConfigError(`${e.strategy.kind === 'allocator' ? 'allocators' : 'wrapperOptions'}.${e.strategy.name}.${key}`, 'parameters given in code', issue.message);
    }
    return all;
  }
}

/** A registry with core's wrappers only. */
export function createRegistry(): Registry {
  return new Registry();
}
