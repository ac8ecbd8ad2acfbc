/*
 * Making a heap and attaching to one.
 *
 * createBumpFreestackAllocator(space, options) validates the options, maps the metadata region
 * (layout.ts), writes the header (magic, version, the options) and takes slot 0.
 * attachBumpFreestackAllocator(space, heapAddress?) — in another worker, over the same
 * SharedArrayBuffer — reads the options back from the header, recomputes the same classes and
 * layout, and claims a free slot with a CAS. Without an address it finds the heap by its magic
 * word at the start of a mapping (it must be the only one in the space).
 *
 * Any space size works: in a paged space (above 4 GiB) the heap keeps to its 4 GiB handle window
 * at the top of the mmap area (layout.ts), so the metadata region must land there, which it does
 * as the space's first mapping. Several workers need a SharedArrayBuffer, which only a flat space
 * has (core refuses a shared or wasm backing for a paged space, and attaching one from another
 * thread), so over a paged space the heap has one thread: its other slots stay free.
 */

import { KernelError, PROT_READ, PROT_WRITE, type AddressSpace } from '@heaplab/core';
import type { BumpFreestackOptions } from './api.js';
import { BumpFreestackAllocator } from './bump-freestack.js';
import { SharedHeap } from './heap.js';
import { FLAG_DYNAMIC, FLAG_FIFO, FLAG_RECLAIM, FLAG_SAFE_LINKING, HDR, MAGIC, S_STATE, VERSION, WINDOW_BYTES, computeLayout, handleBase, windowPages, type HeapLayout } from './layout.js';
import { resolveOptions } from './options.js';
import { computeSizeClasses } from './size-classes.js';

/** Makes a new heap over `space` (its metadata mapped now, its memory on first use). */
export function createBumpFreestackAllocator(space: AddressSpace, options: Partial<BumpFreestackOptions> = {}): BumpFreestackAllocator {
  const o = resolveOptions(options, space.pageSize);
  const classes = computeSizeClasses(o, space.pageSize);
  const layout = computeLayout(classes, o.maxWorkers, windowPages(space), space.pageSize);
  if (layout.bytes > Math.min(space.size, WINDOW_BYTES) / 2) throw new KernelError('ENOMEM', 'createBumpFreestackAllocator', `the metadata (${layout.bytes} bytes) would take more than half the space`);
  return new BumpFreestackAllocator(
    space, o, classes,
    (a) => {
      const base = space.mmap(0, layout.bytes, PROT_READ | PROT_WRITE, 0, a.identity);
      const hb = handleBase(space);
      if (base <= hb || base + layout.bytes > hb + WINDOW_BYTES) {
        space.munmap(base, layout.bytes);
        throw new KernelError('ENOMEM', 'createBumpFreestackAllocator', `the metadata region landed at ${base}, outside the heap's 4 GiB handle window from ${hb} (the top of the mmap area is taken)`);
      }
      const m = space.raw;
      const set = (off: number, v: number): void => {
        m.setU32(base + off, v);
      };
      set(HDR.version, VERSION);
      set(HDR.bytes, layout.bytes);
      set(HDR.largestClass, o.largestClass);
      set(HDR.classesPerDoubling, o.classesPerDoubling);
      set(HDR.runBytes, o.runBytes);
      set(HDR.growBytes, o.growBytes);
      set(HDR.cacheBlocks, o.cacheBlocks);
      set(HDR.cacheBytes, o.cacheBytes);
      set(HDR.flags, (o.fifo ? FLAG_FIFO : 0) | (o.reclaimOnOom ? FLAG_RECLAIM : 0) | (o.dynamicThreshold ? FLAG_DYNAMIC : 0) | (o.safeLinking ? FLAG_SAFE_LINKING : 0));
      set(HDR.threshold, o.mmapThreshold);
      set(HDR.thresholdOption, o.mmapThreshold);
      set(HDR.maxWorkers, o.maxWorkers);
      set(HDR.classCount, classes.length);
      set(HDR.creatorOwner, a.ownerIndex);
      Atomics.store(m.atomicWords, m.atomicIndex(base), MAGIC); // last: an attacher that sees the magic sees the rest
      return new SharedHeap(space, base, layout, classes, a.identity);
    },
    (heap) => claimSlot(heap.space, heap.base, heap.layout),
  );
}

/** The options a heap was made with, read from its header; throws when `base` holds no heap. */
function readOptions(space: AddressSpace, base: number): BumpFreestackOptions {
  const m = space.raw;
  if (!Number.isInteger(base) || base <= 0 || base % space.pageSize !== 0 || base >= space.size || !space.accessible(base, space.pageSize, PROT_READ | PROT_WRITE) || Atomics.load(m.atomicWords, m.atomicIndex(base)) !== MAGIC || m.u32(base + 4) !== VERSION) {
    throw new TypeError(`attachBumpFreestackAllocator: no bump-freestack heap at ${String(base)} (pass the creator's heapAddress)`);
  }
  const w = (off: number): number => m.u32(base + off);
  return {
    largestClass: w(HDR.largestClass), classesPerDoubling: w(HDR.classesPerDoubling), runBytes: w(HDR.runBytes),
    growBytes: w(HDR.growBytes), cacheBlocks: w(HDR.cacheBlocks), cacheBytes: w(HDR.cacheBytes),
    mmapThreshold: w(HDR.thresholdOption), dynamicThreshold: (w(HDR.flags) & FLAG_DYNAMIC) !== 0,
    fifo: (w(HDR.flags) & FLAG_FIFO) !== 0, reclaimOnOom: (w(HDR.flags) & FLAG_RECLAIM) !== 0, maxWorkers: w(HDR.maxWorkers),
    safeLinking: (w(HDR.flags) & FLAG_SAFE_LINKING) !== 0,
  };
}

/** Addresses of the bump-freestack heaps in a space (mappings that start with the magic word). */
export function findBumpFreestackHeaps(space: AddressSpace): number[] {
  const out: number[] = [];
  for (const m of space.mappings()) {
    if (m.heap || (m.prot & 3) !== 3) continue;
    if (space.raw.u32(m.start) === MAGIC && space.raw.u32(m.start + 4) === VERSION) out.push(m.start);
  }
  return out;
}

/**
 * Attaches this thread to an existing heap (made by createBumpFreestackAllocator, usually in
 * another worker over the same SharedArrayBuffer). `heapAddress` is the creator's `heapAddress`;
 * without it, the space must hold exactly one heap.
 */
export function attachBumpFreestackAllocator(space: AddressSpace, heapAddress?: number): BumpFreestackAllocator {
  let base = heapAddress;
  if (base === undefined) {
    const found = findBumpFreestackHeaps(space);
    if (found.length !== 1) throw new TypeError(`attachBumpFreestackAllocator: the space holds ${found.length} bump-freestack heaps; pass heapAddress`);
    base = found[0]!;
  }
  const o = resolveOptions(readOptions(space, base), space.pageSize);
  const classes = computeSizeClasses(o, space.pageSize);
  const layout = computeLayout(classes, o.maxWorkers, windowPages(space), space.pageSize);
  if (layout.bytes !== space.raw.u32(base + HDR.bytes)) throw new TypeError('attachBumpFreestackAllocator: the heap was made with another layout (version mismatch)');
  const at = base;
  return new BumpFreestackAllocator(space, o, classes, (a) => new SharedHeap(space, at, layout, classes, a.identity), (heap) => claimSlot(heap.space, heap.base, heap.layout));
}

/** Claims a free worker slot with a CAS on its state word; throws when all are taken. */
function claimSlot(space: AddressSpace, base: number, layout: HeapLayout): number {
  for (let s = 0; s < layout.slots; s++) {
    const m = space.raw;
    if (Atomics.compareExchange(m.atomicWords, m.atomicIndex(base + layout.slotsOffset + s * layout.slotBytes + S_STATE), 0, 1) === 0) {
      Atomics.add(m.atomicWords, m.atomicIndex(base + HDR.attached), 1);
      return s;
    }
  }
  throw new RangeError(`bump-freestack: all ${layout.slots} worker slots are taken (option maxWorkers)`);
}

