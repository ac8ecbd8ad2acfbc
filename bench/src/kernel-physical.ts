/*
 * Physical memory of the kernel-family allocators (@heaplab/kernel: buddy, kmalloc, vmalloc) for
 * the commands: an allocator that has `physical()` reports its page frames — in use (and their
 * peak), free, the free blocks per order as /proc/buddyinfo, the largest free order and the
 * unusable free space index per order. `heaplab maps --buddyinfo` prints them at one event;
 * `heaplab replay` prints them after the last event for each kernel-family allocator, from one
 * more in-process replay (the timed and footprint runs happen in isolates and keep no instance).
 * `buddyinfoSeries` replays a source event by event through the snapshot's replay
 * (report/snapshot.ts) and samples the figures every N events — physical fragmentation over time, for
 * `heaplab maps --buddyinfo --every N`.
 */

import { prepareReplay, runReplay, type AddressSpace, type Allocator, type TraceSource } from '@heaplab/core';
import type { PhysicalFigures } from '@heaplab/kernel';
import { benchRegistry } from './allocators.js';
import type { AllocatorSpec } from './lab/api.js';
import { openSource, type SourceSpec } from './report/sources.js';
import { snapshotAt } from './report/snapshot.js';

/** The physical figures of an allocator that has them, else null. */
export function physicalOf(a: Allocator): PhysicalFigures | null {
  const f = (a as unknown as { physical?: unknown }).physical;
  return typeof f === 'function' ? (f.call(a) as PhysicalFigures) : null;
}

/** True when the registered allocator `name` is of the kernel family (has physical memory). */
export function isKernelFamily(name: string): boolean {
  const e = benchRegistry().get(name);
  return e !== undefined && e !== null && e.strategy.kind === 'allocator' && e.strategy.family === 'kernel';
}

const fixed = (x: number): string => x.toFixed(3);

/** The figures as lines of text: frames, the buddyinfo line, the unusable index per order. */
export function formatPhysical(label: string, p: PhysicalFigures): string[] {
  const kib = p.pageSize / 1024;
  const where = p.source === 'space' ? "the space's frames" : 'its own pool';
  const orders = p.buddyinfo.map((_, k) => String(k).padStart(6)).join(' ');
  return [
    `physical memory of ${label} (${where}: ${p.totalFrames} frames of ${kib} KiB): ${p.framesInUse} frames in use (peak ${p.peakFramesInUse}), ${p.framesFree} free; largest free order ${p.largestFreeOrder}`,
    `  order                  ${orders}`,
    `  Node 0, zone   Normal  ${p.buddyinfo.map((n) => String(n).padStart(6)).join(' ')}`,
    `  unusable free index    ${p.unusableIndex.map((u) => fixed(u).padStart(6)).join(' ')}`,
  ];
}

/** Replays the whole source with `factory` in this thread and returns the instance's physical figures after the last event. */
export async function physicalAfterReplay(source: TraceSource, factory: (space: import('@heaplab/core').AddressSpace) => Allocator, spaceMib: number): Promise<{ label: string; physical: PhysicalFigures } | null> {
  let made: Allocator | null = null;
  await runReplay(await prepareReplay(source), (space) => (made = factory(space)), { series: false, sampleEvery: 1 << 20, space: { size: spaceMib * 2 ** 20 } });
  const a = made as Allocator | null;
  if (a === null) return null;
  const p = physicalOf(a);
  return p === null ? null : { label: a.identity.label, physical: p };
}

/** One kernel-family allocator's physical memory after a replay. */
export interface PhysicalRow {
  spec: string;
  label: string;
  physical: PhysicalFigures;
}

/** For each spec of a kernel-family allocator: its physical figures after replaying the whole source once more, in this thread. */
export async function kernelPhysical(specs: readonly AllocatorSpec[], factories: ReadonlyArray<(space: import('@heaplab/core').AddressSpace) => Allocator>, source: SourceSpec, spaceMib: number): Promise<PhysicalRow[]> {
  const rows: PhysicalRow[] = [];
  for (const [i, s] of specs.entries()) {
    if (!isKernelFamily(s.name)) continue;
    const r = await physicalAfterReplay(openSource(source), factories[i]!, spaceMib);
    if (r !== null) rows.push({ spec: s.spec, ...r });
  }
  return rows;
}

/** One sample of `buddyinfoSeries`: the figures after `event` events. */
export interface PhysicalSample {
  event: number;
  physical: PhysicalFigures;
}

/** Replays events [0, until) of `source` with a fresh allocator (snapshotAt) and samples its physical figures every `every` events and at the end. */
export async function buddyinfoSeries(source: TraceSource, factory: (space: AddressSpace) => Allocator, every: number, until: number, spaceMib: number): Promise<{ label: string; samples: PhysicalSample[] }> {
  if (!(Number.isInteger(every) && every > 0)) throw new RangeError(`every must be a positive integer, got ${every}`);
  const samples: PhysicalSample[] = [];
  const snap = await snapshotAt(source, factory, until, spaceMib, (events, a) => {
    if (events === 1 && physicalOf(a) === null) throw new RangeError(`${a.identity.label} has no physical memory of its own`);
    if (events % every === 0) samples.push({ event: events, physical: physicalOf(a)! });
  });
  const a = snap.allocator;
  const p = physicalOf(a);
  if (p === null) throw new RangeError(`${a.identity.label} has no physical memory of its own`);
  if (samples.length === 0 || samples[samples.length - 1]!.event !== snap.events) samples.push({ event: snap.events, physical: p });
  return { label: a.identity.label, samples };
}

/** The series as a table: one line per sample with frames in use, the largest free order, the unusable index at order 3 and the buddyinfo line. */
export function formatSeries(label: string, samples: readonly PhysicalSample[]): string[] {
  const first = samples[0]?.physical;
  const orders = first ? first.buddyinfo.map((_, k) => String(k).padStart(6)).join(' ') : '';
  const lines = [`buddyinfo of ${label} over the replay (free blocks per order; unusable free index at order 3, a 32 KiB block)`, `${'event'.padStart(10)} ${'in use'.padStart(8)} ${'largest'.padStart(7)} ${'unus@3'.padStart(6)}  ${orders}`];
  for (const s of samples) {
    const p = s.physical;
    lines.push(`${String(s.event).padStart(10)} ${String(p.framesInUse).padStart(8)} ${String(p.largestFreeOrder).padStart(7)} ${fixed(p.unusableIndex[Math.min(3, p.unusableIndex.length - 1)]!).padStart(6)}  ${p.buddyinfo.map((n) => String(n).padStart(6)).join(' ')}`);
  }
  return lines;
}
