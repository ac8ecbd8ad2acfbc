/*
 * The allocators bench knows by name: the strategy registry (core) holding the built-in
 * packages, plus the custom allocators heaplab.config.json (and HEAPLAB_ variables) name by
 * module path. Configuration is loaded once, when this module is first imported (top-level
 * await: custom modules are imported then); afterwards every lookup is synchronous, as the
 * commands need. A configuration error is kept and thrown by the first lookup, so `--help`
 * works even with a broken file.
 *
 * `allocatorFactory(name)` makes the allocator with its configured parameters and no wrappers
 * (benchmarks and fuzzing measure the allocator itself); `configuredAllocator` adds the
 * configured wrapper stack, as ALLOCATOR does. A name that is not registered is a UsageError
 * listing the names that are.
 *
 * The tool settings of the configuration are applied here, for every command alike:
 * `allocatorOrDefault(flag)` is what `-a` means when it is left out (`default` of the file or
 * HEAPLAB_DEFAULT), `allocatorHelp(what)` says so in the help; `fuzzSettings(flags)` and
 * `benchSettings()` give `fuzz.*` and `bench.*` (file or HEAPLAB_FUZZ__* / HEAPLAB_BENCH__*)
 * under the command's own flags.
 */

import type { AddressSpace, Allocator, HeaplabConfig, Parameters, Registry } from '@heaplab/core';
import { buildAllocator, createRegistry, loadConfig } from '@heaplab/core';
import { strategy as bumpFreestack } from '@heaplab/bump-freestack/register';
import { strategy as dlmallocStyle } from '@heaplab/dlmalloc-style/register';
import { strategy as mmapPages } from '@heaplab/mmap-pages/register';
import { strategy as zonedClasses } from '@heaplab/zoned-classes/register';
import { buddyStrategy, kmallocStrategy, vmallocStrategy } from '@heaplab/kernel/register';

/** Makes an allocator over a space, with options over its configured parameters. */
export type NamedFactory = (space: AddressSpace, options?: Record<string, unknown>) => Allocator;

/** A mistake on the command line: printed without a stack, exit code 2. */
export class UsageError extends Error {}

/** A registry with the built-in allocators (and core's wrappers). */
export function builtinRegistry(): Registry {
  const registry = createRegistry();
  registry.add(mmapPages, { origin: '@heaplab/mmap-pages' });
  registry.add(bumpFreestack, { origin: '@heaplab/bump-freestack' });
  registry.add(zonedClasses, { origin: '@heaplab/zoned-classes' });
  registry.add(dlmallocStyle, { origin: '@heaplab/dlmalloc-style' });
  for (const kernel of [buddyStrategy, kmallocStrategy, vmallocStrategy]) registry.add(kernel, { origin: '@heaplab/kernel' });
  return registry;
}

const registry = builtinRegistry();
let config: HeaplabConfig | null = null;
let configError: unknown = null;
try {
  config = await loadConfig({ registry });
} catch (e) {
  configError = e;
}

/** The configuration bench runs with (throws the error it failed to load with). */
export function benchConfig(): HeaplabConfig {
  if (configError) throw configError;
  return config!;
}

/** The registry: built-ins plus configured custom allocators. */
export function benchRegistry(): Registry {
  benchConfig();
  return registry;
}

/** Names of the allocators bench can make, in a stable order: built-ins, then custom ones. */
export function allocatorNames(): string[] {
  return benchRegistry().allocatorNames();
}

function known(name: string): void {
  if (!benchRegistry().get(name) || registry.get(name)!.strategy.kind !== 'allocator') {
    throw new UsageError(`unknown allocator "${name}"; allocators: ${allocatorNames().join(', ')}`);
  }
}

/** The factory of a named allocator (configured parameters, no wrappers); throws listing what exists. */
export function allocatorFactory(name: string): NamedFactory {
  known(name);
  const base: Parameters = benchConfig().parametersOf(name);
  return (space, options) => registry.create(name, space, { ...base, ...(options ?? {}) });
}

/** A named allocator (default: the configured default) with its configured parameters and wrapper stack. */
export function configuredAllocator(space: AddressSpace, name?: string): Allocator {
  if (name !== undefined) known(name);
  return buildAllocator(benchRegistry(), benchConfig(), space, name);
}

/** The configured default allocator (`default` of heaplab.config.json or HEAPLAB_DEFAULT), or null; null too when the configuration is broken. */
export function configuredDefault(config?: HeaplabConfig): string | null {
  try {
    return (config ?? benchConfig()).defaultName;
  } catch {
    return null;
  }
}

/** The help of an `-a` option that defaults to the configured default allocator. */
export function allocatorHelp(what: string, config?: HeaplabConfig): string {
  const d = configuredDefault(config);
  const where = '"default" of heaplab.config.json or HEAPLAB_DEFAULT';
  return d !== null ? `${what} (default: ${d}, the configured default: ${where})` : `${what}; required unless a default is configured (${where})`;
}

/**
 * What `-a` names: the flag when given, else the configured default allocator; with neither, a
 * UsageError saying how to give one. The value is returned as written (a name, or a comma list
 * where the command takes several).
 */
export function allocatorOrDefault(flag: string | undefined, config: HeaplabConfig = benchConfig(), option = '-a, --allocator'): string {
  if (flag !== undefined) return flag;
  const d = config.defaultName;
  if (d === null) throw new UsageError(`${option}: name an allocator (${config.registry.allocatorNames().join(', ')}), or configure a default ("default" in heaplab.config.json or HEAPLAB_DEFAULT)`);
  return d;
}

/** Whether a settings key was set by the file or a variable (not left at its default). */
function isSet(config: HeaplabConfig, path: string): boolean {
  return config.sourceOf(path).kind !== 'default';
}

/** Fuzzing settings: `runs` from --runs, else fuzz.runs (HEAPLAB_FUZZ__RUNS); `seed` from --seed, else fuzz.seed (HEAPLAB_FUZZ__SEED) when set, else null (draw one). */
export function fuzzSettings(flags: { runs?: number; seed?: number }, config: HeaplabConfig = benchConfig()): { runs: number; seed: number | null } {
  const fuzz = config.settings.fuzz;
  return { runs: flags.runs ?? fuzz.runs, seed: flags.seed ?? (isSet(config, 'fuzz.seed') ? fuzz.seed : null) };
}

/**
 * The bench settings the configuration sets (file or HEAPLAB_BENCH__*), for `bench` to put over
 * its plan and under its flags: `operations` is the events of every workload (as --ops),
 * `repeats` the timed runs (as --runs), `seed` the workloads' seed (as --seed). A key left at
 * its default is absent, so the plan's own value stands.
 */
export function benchSettings(config: HeaplabConfig = benchConfig()): { operations?: number; repeats?: number; seed?: number } {
  const bench = config.settings.bench;
  return {
    ...(isSet(config, 'bench.operations') ? { operations: bench.operations } : {}),
    ...(isSet(config, 'bench.repeats') ? { repeats: bench.repeats } : {}),
    ...(isSet(config, 'bench.seed') ? { seed: bench.seed } : {}),
  };
}
