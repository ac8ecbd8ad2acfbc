/*
 * Probes: small deterministic programs a study runs on an allocator besides the plan's replays,
 * for figures no replay gives. Their results go into the study's ledger record (LabRecord.probes)
 * and are rendered from there like every other figure.
 *
 *   reuse-after-free  (Felker: stack order is the worst for catching a use after free or a double
 *                     free.) Allocate `freed` blocks of `size` bytes and free them all, then
 *                     p = malloc(size), free(p), then k more mallocs of that size, for each k of
 *                     `after`; then two programs of the misuse kit (core's runMisuseCase, a fresh
 *                     heap each): objectSize(p), which an allocator that can tell a freed block
 *                     raises as `use-after-free`, and free(p) again, raised as `double-free`.
 *                     Once p has been handed out again both are silent: the use lands in another
 *                     owner's live block. Figures: the share of k caught by each.
 *   zone-capacity     (Felker: a zoned design needs address space ~100× the physical memory.)
 *                     In a fresh space of the spec's size, malloc(size) until it returns 0 (or
 *                     `capMib` of live bytes): the live bytes one size class holds when its zone
 *                     is exhausted, the resident and committed bytes then, and the space size.
 *
 * Core's testing kit is imported on the first probe only: it loads fast-check, which no other
 * command needs.
 */

import { createAddressSpace, type AddressSpace, type Allocator } from '@heaplab/core';
import { UsageError } from '../allocators.js';
import { specFactory } from './factory.js';
import { parseSpec, spaceMibOf } from './spec.js';

/** What a study asks a probe to do. */
export type ProbeSpec =
  | { kind: 'reuse-after-free'; allocators: string[]; size: number; freed: number; after: number[] }
  | { kind: 'zone-capacity'; allocators: string[]; sizes: number[]; capMib?: number };

/** One row of a reuse-after-free probe: what the kit said after k more mallocs. */
export interface ReuseRow {
  after: number;
  useAfterFree: string;
  doubleFree: string;
}

/** One row of a zone-capacity probe. */
export interface ZoneRow {
  size: number;
  blocks: number;
  liveBytes: number;
  resident: number;
  committed: number;
  spaceBytes: number;
  /** True when malloc returned 0 (the zone was exhausted), false when the cap was reached first. */
  exhausted: boolean;
}

/** A probe's results on one allocator. */
export type ProbeRecord =
  | { kind: 'reuse-after-free'; allocator: string; size: number; freed: number; rows: ReuseRow[] }
  | { kind: 'zone-capacity'; allocator: string; rows: ZoneRow[] };

/** Checks a probe spec from a study file; throws a UsageError naming the field. */
export function checkProbe(p: ProbeSpec, where: string): ProbeSpec {
  const ints = (v: unknown, what: string, min = 0): number[] => {
    if (!Array.isArray(v) || v.length === 0 || !v.every((x) => Number.isInteger(x) && x >= min)) throw new UsageError(`${where}.${what}: expected a list of integers ≥ ${min}`);
    return v as number[];
  };
  if (!Array.isArray(p.allocators) || p.allocators.length === 0) throw new UsageError(`${where}.allocators: expected at least one allocator spec`);
  for (const a of p.allocators) parseSpec(a);
  if (p.kind === 'reuse-after-free') {
    ints([p.size], 'size', 1);
    ints([p.freed], 'freed', 0);
    ints(p.after, 'after');
  } else if (p.kind === 'zone-capacity') {
    ints(p.sizes, 'sizes', 1);
    if (p.capMib !== undefined) ints([p.capMib], 'capMib', 1);
  } else throw new UsageError(`${where}.kind: expected "reuse-after-free" or "zone-capacity"`);
  return p;
}

const outcomeText = (o: { detected: boolean; code?: string; corrupted?: string | null; crashed?: string | null }): string =>
  o.detected ? (o.code ?? 'detected') : o.crashed ? `crashed: ${o.crashed}` : 'not detected';

async function reuseAfterFree(spec: string, size: number, freed: number, after: readonly number[]): Promise<ReuseRow[]> {
  const { runMisuseCase } = await import('@heaplab/core/testing');
  const factory = await specFactory(parseSpec(spec));
  const make = (space: AddressSpace): Allocator => factory(space);
  const program = (k: number, last: (a: Allocator, p: number) => void) => ({
    name: `reuse-after-${k}`,
    misuse: `free a block, make ${k} more of its size, then use it`,
    detection: 'use-after-free' as const,
    hardenedMalloc: '',
    run(a: Allocator) {
      const warm: number[] = [];
      for (let i = 0; i < freed; i++) warm.push(a.malloc(size));
      for (const w of warm) a.free(w);
      const p = a.malloc(size);
      a.free(p);
      for (let i = 0; i < k; i++) a.malloc(size);
      last(a, p);
    },
  });
  return after.map((k) => ({
    after: k,
    useAfterFree: outcomeText(runMisuseCase(program(k, (a, p) => a.objectSize(p)), make)),
    doubleFree: outcomeText(runMisuseCase(program(k, (a, p) => a.free(p)), make)),
  }));
}

async function zoneCapacity(spec: string, sizes: readonly number[], capMib: number): Promise<ZoneRow[]> {
  const s = parseSpec(spec);
  const factory = await specFactory(s);
  const spaceBytes = (spaceMibOf(s) ?? 4096) * 2 ** 20;
  return sizes.map((size) => {
    const space = createAddressSpace({ size: spaceBytes });
    const a = factory(space);
    const cap = capMib * 2 ** 20;
    let blocks = 0;
    let exhausted = false;
    while (blocks * size < cap) {
      if (a.malloc(size) === 0) {
        exhausted = true;
        break;
      }
      blocks++;
    }
    const st = space.stats();
    return { size, blocks, liveBytes: blocks * size, resident: st.resident, committed: st.committed, spaceBytes, exhausted };
  });
}

/** Runs a probe on each of its allocators. */
export async function runProbe(p: ProbeSpec): Promise<ProbeRecord[]> {
  const out: ProbeRecord[] = [];
  for (const spec of p.allocators) {
    const name = parseSpec(spec).spec;
    if (p.kind === 'reuse-after-free') out.push({ kind: p.kind, allocator: name, size: p.size, freed: p.freed, rows: await reuseAfterFree(name, p.size, p.freed, p.after) });
    else out.push({ kind: p.kind, allocator: name, rows: await zoneCapacity(name, p.sizes, p.capMib ?? 1024) });
  }
  return out;
}

/** A probe figure of one allocator, or NaN when the record has none. */
export function probeFigure(probes: readonly ProbeRecord[], allocator: string, figure: string): number {
  for (const p of probes) {
    if (p.allocator !== allocator) continue;
    if (p.kind === 'reuse-after-free') {
      if (figure === 'uafCaught') return p.rows.filter((r) => r.useAfterFree === 'use-after-free').length / p.rows.length;
      if (figure === 'doubleFreeCaught') return p.rows.filter((r) => r.doubleFree === 'double-free').length / p.rows.length;
    } else {
      const best = Math.max(...p.rows.map((r) => r.liveBytes));
      if (figure === 'zoneLiveMib') return best / 2 ** 20;
      if (figure === 'spaceOverZoneLive') return p.rows[0]!.spaceBytes / best;
      if (figure === 'exhaustedShare') return p.rows.filter((r) => r.exhausted).length / p.rows.length;
    }
  }
  return NaN;
}

/** The figures probes give, for checks and tables. */
export const PROBE_FIGURES = ['uafCaught', 'doubleFreeCaught', 'zoneLiveMib', 'spaceOverZoneLive', 'exhaustedShare'] as const;
