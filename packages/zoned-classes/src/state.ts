/*
 * The state mapping: zoned-classes' mutable state other than the slab records — the slab-list
 * heads of each class, the page table of the zone area, the slot and free-slab quarantines, the
 * region quarantine and the holes large regions gave back — kept in the space, out of band, as
 * hardened_malloc keeps all its allocator state in metadata mappings of its own. So the space's
 * figures (resident pages, M1–M4) count it, as they count the slab records.
 *
 * One mapping between two PROT_NONE guard pages, made writable when it is made: its pages count
 * as committed at once and as resident only once written. Nothing is written in advance: the page
 * table gets a slab's entries when the slab is first used, a quarantine's cells as it fills.
 *
 * Layout: the arrays one after another in the order they were planned (StateLayout.add), each
 * starting 8-aligned. Views over them are made by the owner (Zones.bindState) from the offsets
 * and remade when the space's buffer changes (wasm memory grown).
 *
 * Invariant: every planned array lies inside [addr, addr + bytes) and no two overlap.
 */

import { KernelError, ConfigError, PROT_NONE, PROT_READ, PROT_WRITE, type AddressSpace, type Identity } from '@heaplab/core';

/** Plans the arrays of the state mapping: byte offsets from its start. */
export class StateLayout {
  bytes = 0;

  /** Reserves `count` elements of `size` bytes, 8-aligned; returns the byte offset. */
  add(size: number, count: number): number {
    const at = this.bytes;
    this.bytes = Math.ceil((at + size * count) / 8) * 8;
    return at;
  }
}

/**
 * Maps the state: `bytes` (rounded to pages) writable between two guard pages. Returns the
 * address of its first writable byte. A space too small for it is a ConfigError, as for zones.
 */
export function mapState(space: AddressSpace, identity: Identity, bytes: number): number {
  const ps = space.pageSize;
  const data = Math.max(1, Math.ceil(bytes / ps)) * ps;
  try {
    const m = space.mmap(0, data + 2 * ps, PROT_NONE, 0, identity);
    space.mprotect(m + ps, data, PROT_READ | PROT_WRITE);
    return m + ps;
  } catch (e) {
    if (e instanceof KernelError) throw new ConfigError('zoneShare', 'zoned-classes options', `a share whose zones, metadata and state fit in the space (${e.message})`);
    throw e;
  }
}
