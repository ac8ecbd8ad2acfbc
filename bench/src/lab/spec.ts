/*
 * Allocator specs, as plans and the CLI's `-a` give them:
 *
 *   spec     := element ('+' element)*            the allocator, then its wrappers, innermost first
 *   element  := name ['@' module] [':' option (',' option)*]
 *   option   := key '=' value                     value: 123, 64k / 2m / 1g (×1024ⁿ), true, false, text
 *
 * In a comma-separated list (`-a dlmalloc-style:policy=first-fit,mmapThreshold=64k,bump-freestack`)
 * an item that is only `key=value` continues the options of the element before it, so options and
 * allocators share the one separator people already use. The normalised text of a spec (`specText`)
 * is how tables, windows and the ledger name it: name, options sorted by key, wrappers in order.
 * Values are checked later, by the registry's schema of the allocator or wrapper, when it is made.
 * One option belongs to the protocol, not the allocator: `spaceMib=N` on the allocator gives its
 * runs an address space of N MiB instead of the plan's (`zoned-classes:spaceMib=256`), so one plan
 * can set the same allocator in spaces of several sizes; the factory does not pass it on.
 */

import { UsageError } from '../allocators.js';
import type { AllocatorSpec, WrapperSpec } from './api.js';

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const SCALE: Record<string, number> = { k: 2 ** 10, m: 2 ** 20, g: 2 ** 30 };

/** An option's value: a number (with a k/m/g suffix), a boolean, or the text itself. */
export function optionValue(raw: string): unknown {
  const t = raw.trim();
  const m = /^(\d+(?:\.\d+)?)([kmg])?$/i.exec(t);
  if (m) return Number(m[1]) * (m[2] ? SCALE[m[2].toLowerCase()]! : 1);
  if (t === 'true') return true;
  if (t === 'false') return false;
  return t;
}

function option(text: string, into: Record<string, unknown>, where: string): void {
  const eq = text.indexOf('=');
  if (eq <= 0) throw new UsageError(`${where}: expected key=value, got "${text}"`);
  const key = text.slice(0, eq).trim();
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) throw new UsageError(`${where}: "${key}" is not an option name`);
  into[key] = optionValue(text.slice(eq + 1));
}

function element(text: string, where: string): { name: string; module: string | null; options: Record<string, unknown> } {
  const colon = text.indexOf(':');
  const head = colon < 0 ? text : text.slice(0, colon);
  const options: Record<string, unknown> = {};
  if (colon >= 0) for (const o of text.slice(colon + 1).split(',')) if (o.trim() !== '') option(o, options, where);
  const at = head.indexOf('@');
  const name = (at < 0 ? head : head.slice(0, at)).trim();
  const module = at < 0 ? null : head.slice(at + 1).trim();
  if (!NAME.test(name)) throw new UsageError(`${where}: expected an allocator or wrapper name, got "${name}"`);
  if (module !== null && module === '') throw new UsageError(`${where}: expected a module path after "@"`);
  return { name, module, options };
}

/** Parses one spec (`dlmalloc-style:policy=next-fit+checking`). */
export function parseSpec(text: string): AllocatorSpec {
  const where = `allocator "${text}"`;
  const parts = text.split('+').map((s) => s.trim());
  if (parts.some((p) => p === '')) throw new UsageError(`${where}: an empty element around "+"`);
  const first = element(parts[0]!, where);
  const wrappers: WrapperSpec[] = parts.slice(1).map((p) => {
    const e = element(p, where);
    if (e.module !== null) throw new UsageError(`${where}: a wrapper cannot come from a module (${p})`);
    return { name: e.name, options: e.options };
  });
  const spec: AllocatorSpec = { spec: '', name: first.name, options: first.options, wrappers, module: first.module };
  spec.spec = specText(spec);
  return spec;
}

function optionsText(o: Record<string, unknown>): string {
  const keys = Object.keys(o).sort();
  return keys.length === 0 ? '' : `:${keys.map((k) => `${k}=${String(o[k])}`).join(',')}`;
}

/** The protocol's own allocator option: the size of the runs' address space, MiB. */
export const SPACE_OPTION = 'spaceMib';
/** The largest space a run can have, MiB: 2^47 bytes (spaces above 4096 MiB are paged, core README). */
export const MAX_SPACE_MIB = 2 ** 27;

/** The space a spec asks for (MiB), or null for the plan's. */
export function spaceMibOf(spec: AllocatorSpec): number | null {
  const v = spec.options[SPACE_OPTION];
  if (v === undefined) return null;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > MAX_SPACE_MIB) throw new UsageError(`allocator "${spec.spec}": ${SPACE_OPTION} expects an integer from 1 to ${MAX_SPACE_MIB} (MiB), got ${JSON.stringify(v)}`);
  return v;
}

/** The normalised text of a spec. */
export function specText(s: Omit<AllocatorSpec, 'spec'>): string {
  const head = `${s.name}${s.module !== null ? `@${s.module}` : ''}${optionsText(s.options)}`;
  return [head, ...s.wrappers.map((w) => `${w.name}${optionsText(w.options)}`)].join('+');
}

/** Splits a comma list of specs, where an item that is only `key=value` belongs to the spec before it. */
export function parseSpecList(raw: string, flag = '--allocator'): AllocatorSpec[] {
  const items: string[] = [];
  for (const piece of raw.split(',')) {
    const t = piece.trim();
    if (t === '') continue;
    const continues = /^[A-Za-z_][A-Za-z0-9_]*=/.test(t) && !t.includes(':') && !t.includes('+');
    if (continues) {
      if (items.length === 0) throw new UsageError(`${flag}: "${t}" is an option but no allocator comes before it`);
      const last = items[items.length - 1]!;
      // Options go to the last element of the spec before (its last wrapper, or the allocator).
      const lastElement = last.slice(last.lastIndexOf('+') + 1);
      items[items.length - 1] = `${last}${lastElement.includes(':') ? ',' : ':'}${t}`;
    } else items.push(t);
  }
  if (items.length === 0) throw new UsageError(`${flag}: expected at least one allocator`);
  const specs = items.map(parseSpec);
  const seen = new Set<string>();
  for (const s of specs) {
    if (seen.has(s.spec)) throw new UsageError(`${flag}: "${s.spec}" is named twice`);
    seen.add(s.spec);
  }
  return specs;
}
