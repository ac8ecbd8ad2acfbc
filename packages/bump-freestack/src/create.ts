/*
 * Making a heap and attaching to one.
 *
 * createBumpFreestackAllocator(space, options) validates the options, maps the metadata region
 * (layout.ts), writes the header (magic, version, the options) and takes slot 0.
 * attachBumpFreestackAllocator(space, heapAddress?) — in another worker, over the same
 * SharedArrayBuffer — reads the options back from the header, recomputes the same classes and
 * layout, and claims a free slot with a CAS. Without an address it finds the heap by its magic
 * word at the start of a mapping (it must be the only one in the space).
 */

import { KernelError, PROT_READ, PROT_WRITE, type AddressSpace } from '@heaplab/core';
import type { BumpFreestackOptions } from './api.js';
import { BumpFreestackAllocator } from './bump-freestack.js';
import { SharedHeap } from './heap.js';
import { FLAG_DYNAMIC, FLAG_FIFO, FLAG_RECLAIM, FLAG_SAFE_LINKING, HDR, MAGIC, S_STATE, VERSION, computeLayout, type HeapLayout } from './layout.js';
import { resolveOptions } from './options.js';
import { computeSizeClasses } from './size-classes.js';

/** Makes a new heap over `space` (its metadata mapped now, its memory on first use). */
export function createBumpFreestackAllocator(space: AddressSpace, options: Partial<BumpFreestackOptions> = {}): BumpFreestackAllocator {
  const o = resolveOptions(options, space.pageSize);
  const classes = computeSizeClasses(o, space.pageSize);
  const layout = computeLayout(classes, o.maxWorkers, space.pageCount, space.pageSize);
  if (layout.bytes > space.size / 2) throw new KernelError('ENOMEM', 'createBumpFreestackAllocator', `the metadata (${layout.bytes} bytes) would take more than half the space`);
  return new BumpFreestackAllocator(
    space, o, classes,
    (a) => {
      const base = space.mmap(0, layout.bytes, PROT_READ | PROT_WRITE, 0, a.identity);
      const u32 = space.u32;
      const h = base >>> 2;
      const set = (off: number, v: number): void => {
        u32[h + off / 4] = v;
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
      Atomics.store(u32, h, MAGIC); // last: an attacher that sees the magic sees the rest
      return new SharedHeap(space, base, layout, classes, a.identity);
    },
    (heap) => claimSlot(heap.space, heap.base, heap.layout),
  );
}

/** The options a heap was made with, read from its header; throws when `base` holds no heap. */
function readOptions(space: AddressSpace, base: number): BumpFreestackOptions {
  const u32 = space.u32;
  const h = base >>> 2;
  if (!Number.isInteger(base) || base <= 0 || base % space.pageSize !== 0 || base >= space.size || Atomics.load(u32, h) !== MAGIC || u32[h + 1] !== VERSION) {
    throw new TypeError(`attachBumpFreestackAllocator: no bump-freestack heap at ${String(base)} (pass the creator's heapAddress)`);
  }
  const w = (off: number): number => u32[h + off / 4]!;
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
    if (Atomics.load(space.u32, m.start >>> 2) === MAGIC && space.u32[(m.start >>> 2) + 1] === VERSION) out.push(m.start);
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
  const layout = computeLayout(classes, o.maxWorkers, space.pageCount, space.pageSize);
  if (layout.bytes !== space.u32[(base + HDR.bytes) >>> 2]) throw new TypeError('attachBumpFreestackAllocator: the heap was made with another layout (version mismatch)');
  const at = base;
  return new BumpFreestackAllocator(space, o, classes, (a) => new SharedHeap(space, at, layout, classes, a.identity), (heap) => claimSlot(heap.space, heap.base, heap.layout));
}

/** Claims a free worker slot with a CAS on its state word; throws when all are taken. */
function claimSlot(space: AddressSpace, base: number, layout: HeapLayout): number {
  for (let s = 0; s < layout.slots; s++) {
    const w = (base + layout.slotsOffset + s * layout.slotBytes + S_STATE) >>> 2;
    if (Atomics.compareExchange(space.u32, w, 0, 1) === 0) {
      Atomics.add(space.u32, (base + HDR.attached) >>> 2, 1);
      return s;
    }
  }
  throw new RangeError(`bump-freestack: all ${layout.slots} worker slots are taken (option maxWorkers)`);
}

