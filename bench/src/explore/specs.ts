/*
 * Allocator specs in the page: `name[:key=value,…][+wrapper[:key=value,…]…]`, as the CLI's `-a`
 * takes them (bench/src/lab/spec.ts, which the page cannot import: it reaches the CLI's Node-only
 * configuration), made through a registry of the four built-in allocators and core's wrappers,
 * whose schemas check every option. `configured` holds the parameters heaplab.config.json gives
 * each allocator (the CLI passes them), under the spec's own options, as `heaplab who` makes it.
 */

import { createAddressSpace, createRegistry, type AddressSpace, type Allocator, type Registry } from '@heaplab/core';
import { strategy as bumpFreestack } from '@heaplab/bump-freestack/register';
import { strategy as dlmallocStyle } from '@heaplab/dlmalloc-style/register';
import { strategy as mmapPages } from '@heaplab/mmap-pages/register';
import { strategy as zonedClasses } from '@heaplab/zoned-classes/register';
import type { RunSpec } from './session.js';

const SCALE: Record<string, number> = { k: 2 ** 10, m: 2 ** 20, g: 2 ** 30 };

/** An option's value: a number (with a k/m/g suffix), a boolean, or the text. */
export function optionValue(raw: string): unknown {
  const t = raw.trim();
  const m = /^(\d+(?:\.\d+)?)([kmg])?$/i.exec(t);
  if (m) return Number(m[1]) * (m[2] ? SCALE[m[2].toLowerCase()]! : 1);
  if (t === 'true') return true;
  if (t === 'false') return false;
  return t;
}

/** One element: name and options. */
export interface SpecElement {
  name: string;
  options: Record<string, unknown>;
}

/** Parses a spec into its allocator and wrappers, innermost first. */
export function parseSpec(text: string): SpecElement[] {
  const parts = text.split('+').map((s) => s.trim());
  if (parts.length === 0 || parts.some((p) => p === '')) throw new RangeError(`allocator "${text}": an empty element`);
  return parts.map((p) => {
    const colon = p.indexOf(':');
    const name = (colon < 0 ? p : p.slice(0, colon)).trim();
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name)) throw new RangeError(`allocator "${text}": "${name}" is not a name`);
    const options: Record<string, unknown> = {};
    if (colon >= 0) {
      for (const o of p.slice(colon + 1).split(',')) {
        if (o.trim() === '') continue;
        const eq = o.indexOf('=');
        if (eq <= 0) throw new RangeError(`allocator "${text}": expected key=value, got "${o}"`);
        options[o.slice(0, eq).trim()] = optionValue(o.slice(eq + 1));
      }
    }
    return { name, options };
  });
}

let registry: Registry | null = null;

/** The registry of the built-in allocators and core's wrappers. */
export function pageRegistry(): Registry {
  if (registry === null) {
    registry = createRegistry();
    registry.add(mmapPages, { origin: '@heaplab/mmap-pages' });
    registry.add(bumpFreestack, { origin: '@heaplab/bump-freestack' });
    registry.add(zonedClasses, { origin: '@heaplab/zoned-classes' });
    registry.add(dlmallocStyle, { origin: '@heaplab/dlmalloc-style' });
  }
  return registry;
}

/** A run spec from spec text; unknown names and bad options throw here, before anything runs. */
export function runSpec(text: string, configured: Record<string, Record<string, unknown>> = {}): RunSpec {
  const [leaf, ...wrappers] = parseSpec(text);
  const r = pageRegistry();
  if (!r.get(leaf!.name) || r.get(leaf!.name)!.strategy.kind !== 'allocator') throw new RangeError(`unknown allocator "${leaf!.name}"; allocators: ${r.allocatorNames().join(', ')}`);
  const make = (space: AddressSpace): Allocator => {
    const a = r.create(leaf!.name, space, { ...(configured[leaf!.name] ?? {}), ...leaf!.options });
    return wrappers.length === 0 ? a : r.wrap(a, wrappers.map((w) => ({ name: w.name, parameters: w.options })).reverse());
  };
  // Validate now: one allocator over a small space, dropped.
  make(createAddressSpace({ size: 256 * 2 ** 20 }));
  return { label: text.trim(), make };
}
