/*
 * AddressSpace: a simulated process address space with Linux semantics over one buffer.
 *
 * Layout (addresses are byte offsets into the buffer):
 *   [0, headerBytes)          the space's own state (layout.ts); never mappable, so 0 is NULL
 *   [start_brk, brk)          the heap segment, grown and shrunk from the top with brk/sbrk
 *   … free …
 *   (…, mmap_base)            the mmap area, filled top-down from mmap_base (= size)
 *
 * Every call that changes the state takes the header lock (lock.ts), so workers attached to a
 * SharedArrayBuffer-backed space can mmap and sbrk concurrently. Reads of page flags by checked
 * access do not lock: a program racing its own munmap is already wrong.
 *
 * Invariants (beside layout.ts's): the heap segment is one run of HEAP pages from start_brk to
 * ⌈brk⌉; no mapping overlaps it; a page read through a view after munmap or DONTNEED is zero.
 *
 * Residency is measured by the space (residency.ts), never taken from allocators' bookkeeping.
 * Pages the host never touched are known from Linux (host-pages.ts) and never read.
 *
 * Two kinds of space share this class and its contract:
 *   flat   (size ≤ 4 GiB, no `physical`): the layout above, address = buffer offset, raw typed
 *          views, any backing. Every method below runs its flat code.
 *   paged  (size > 4 GiB up to 2^47, or `physical` set): virtual addresses map through sparse
 *          page tables to frames of a separate physical buffer (paged-kernel.ts); `buffer` and
 *          the raw views (u8 … dv) then cover only a small header holding the owner table and
 *          counters, `flags`/`pageOwner`/`bitmap` are empty, and allocators go through `raw`
 *          (PagedMemory). Each public method tests `this.kernel` once and hands the work to it.
 *          Only `backing: 'array'`; a paged space cannot be attached from another thread.
 */

import type { Backing, Identity, Mapping, SpaceOptions, SpaceStats, Allocator, WasmMemory } from '../api.js';
import { MADV_DONTNEED, MAP_FIXED, MAP_FIXED_NOREPLACE } from '../api.js';
import { ConfigError, KernelError, SegmentationFault, hex } from '../errors.js';
import {
  COUNTER, H, LAYOUT_VERSION, MAGIC, PAGE_HEAP, PAGE_MAPPED, PAGE_READ, PAGE_RESIDENT, PAGE_START,
  PAGE_WRITE, computeLayout, protToFlags, type Layout,
} from './layout.js';
import { Buffer } from 'node:buffer';
import { SpaceLock } from './lock.js';
import { OwnerTable } from './owners.js';
import { collectMappings, formatMaps } from './maps.js';
import { compareRun, sampleResidency } from './residency.js';
import { HostPages } from './host-pages.js';
import { FlatMemory, type RawMemory } from './memory.js';
import { MAX_PHYSICAL, PAGED_LOW_BYTES, PagedKernel } from './paged-kernel.js';
import type { BuddyFrames } from './frames.js';
import { whoOwns, type Ownership } from '../registry/who-owns.js';

const GiB = 2 ** 30;
/** The largest space: a Linux x86-64 process's user address space. */
export const MAX_SPACE_SIZE = 2 ** 47;
/** Bytes of a paged space's header buffer: the counters and the owner table (layout.ts), no page tables. */
const PAGED_HEADER_BYTES = 36864;

/** A page that may hold a written byte: RESIDENT, or mapped writable. */
function mayHoldWrites(f: number): boolean {
  return (f & PAGE_RESIDENT) !== 0 || (f & (PAGE_MAPPED | PAGE_WRITE)) === (PAGE_MAPPED | PAGE_WRITE);
}
/** Spaces from this size on ask the host which pages were touched (smaller ones just read them). */
const HOST_PAGES_MIN_SIZE = 64 * 2 ** 20;
/** The global WebAssembly namespace, typed by what the space uses of it. */
const WA = (globalThis as unknown as {
  WebAssembly: { Memory: new (d: { initial: number; maximum?: number; shared?: boolean }) => WasmMemory };
}).WebAssembly;
const BACKINGS: Record<Backing, number> = { array: 0, shared: 1, wasm: 2 };
const KNOWN_FLAGS = MAP_FIXED | MAP_FIXED_NOREPLACE | 0x01 | 0x02 | 0x20; // SHARED, PRIVATE, ANONYMOUS accepted

function isUint(n: unknown): n is number {
  return typeof n === 'number' && Number.isInteger(n) && n >= 0;
}

export class AddressSpace {
  readonly size: number;
  readonly pageSize: number;
  readonly pageShift: number;
  readonly pageCount: number;
  readonly headerBytes: number;
  readonly backing: Backing;
  readonly shared: boolean;
  /** The WebAssembly.Memory behind the space, with `backing: 'wasm'`. */
  readonly memory: WasmMemory | undefined;

  /** The backing buffer. With wasm backing it changes when the memory grows: see `refresh()`. */
  buffer!: ArrayBuffer | SharedArrayBuffer;
  /** Raw views over the whole buffer, for allocators' hot paths (no protection checks). */
  u8!: Uint8Array;
  /** A Buffer over the same bytes (for memcmp-speed compares); remade with the other views. */
  bytes!: Buffer;
  u16!: Uint16Array;
  i32!: Int32Array;
  u32!: Uint32Array;
  f64!: Float64Array;
  dv!: DataView;
  /** Unchecked access by address for allocators and wrappers, at every space size (memory.ts). */
  readonly raw: RawMemory;

  /** @internal page flag, owner and mapped-bit tables (views into the header). */
  flags!: Uint8Array;
  /** @internal the same flags, four pages per word (the scans skip groups of pages with it). */
  flags32!: Uint32Array;
  /** @internal */
  pageOwner!: Uint16Array;
  /** @internal */
  bitmap!: Uint32Array;
  /** @internal */
  readonly owners: OwnerTable;
  /** @internal The kernel of a paged space (paged-kernel.ts); undefined for a flat space. */
  readonly kernel: PagedKernel | undefined;
  private readonly layout: Layout;
  private lock!: SpaceLock;
  private readonly listeners: ((space: AddressSpace) => void)[] = [];
  /** What the host says about touched pages: undefined until first needed, null when it cannot say. */
  private host: HostPages | null | undefined;
  private writtenScratch = new Uint8Array(64);

  /**
   * @internal Whether spaces ask /proc/self/pagemap which pages were never touched (host-pages.ts)
   * instead of reading them. On by default; scripts switch it off to measure what it saves.
   */
  static askHostPages = true;

  private constructor(buffer: ArrayBuffer | SharedArrayBuffer, memory: WasmMemory | undefined, init?: { size: number; pageSize: number; backing: Backing; paged?: boolean; physical?: number }) {
    this.memory = memory;
    this.bindViews(buffer);
    const u32 = this.u32;
    if (!init) {
      if (u32[H.magic] !== MAGIC || u32[H.version] !== LAYOUT_VERSION) {
        throw new KernelError('EINVAL', 'attach', 'the buffer holds no heaplab address space (bad magic or layout version)');
      }
      if (u32[H.pageCount] === 0) throw new KernelError('EINVAL', 'attach', 'a paged space cannot be attached from another thread');
    }
    this.layout = !init
      ? computeLayout(u32[H.pageCount]! * u32[H.pageSize]!, u32[H.pageSize]!)
      : init.paged
        ? {
          pageSize: init.pageSize, pageShift: Math.log2(init.pageSize), pageCount: init.size / init.pageSize,
          flagsOffset: 0, ownerOffset: 0, bitmapOffset: 0, headerBytes: PAGED_LOW_BYTES,
        }
        : computeLayout(init.size, init.pageSize);
    if (init?.paged) {
      this.kernel = new PagedKernel(this, init.size, init.pageSize, init.physical);
      this.raw = this.kernel.memory;
    } else {
      this.kernel = undefined;
      this.raw = new FlatMemory(this);
    }
    if (init) {
      u32[H.magic] = MAGIC;
      u32[H.version] = LAYOUT_VERSION;
      u32[H.pageSize] = init.pageSize;
      u32[H.pageCount] = init.paged ? 0 : this.layout.pageCount;
      u32[H.headerPages] = this.layout.headerBytes / init.pageSize;
      u32[H.startBrk] = this.layout.headerBytes;
      u32[H.brk] = this.layout.headerBytes;
      u32[H.mmapBase] = init.paged ? 0 : this.layout.pageCount;
      u32[H.freeAreaCache] = init.paged ? 0 : this.layout.pageCount;
      u32[H.ownerCount] = 1;
      u32[H.pid] = 1000 + Math.floor(Math.random() * 30000);
      u32[H.backing] = BACKINGS[init.backing];
    }
    const l = this.layout;
    this.pageSize = l.pageSize;
    this.pageShift = l.pageShift;
    this.pageCount = l.pageCount;
    this.size = l.pageCount * l.pageSize;
    this.headerBytes = l.headerBytes;
    this.backing = (['array', 'shared', 'wasm'] as const)[this.u32[H.backing]!]!;
    this.shared = typeof SharedArrayBuffer !== 'undefined' && buffer instanceof SharedArrayBuffer;
    this.owners = new OwnerTable(this.u8, this.u32);
    this.bindTables();
  }

  /**
   * Makes a new space. Untouched pages of the backing cost no memory, so the whole size is
   * allocated up front. A space larger than 4 GiB or with `physical` is paged (see the top of
   * this file and paged-kernel.ts).
   */
  static create(options: Partial<SpaceOptions> = {}): AddressSpace {
    const size = options.size ?? 4 * GiB;
    const pageSize = options.pageSize ?? 4096;
    const backing = options.backing ?? (options.memory ? 'wasm' : 'array');
    const physical = options.physical;
    if (pageSize !== 4096 && pageSize !== 65536) {
      throw new KernelError('EINVAL', 'createAddressSpace', `pageSize must be 4096 or 65536, got ${pageSize}`);
    }
    if (!isUint(size) || size % pageSize !== 0 || size > MAX_SPACE_SIZE) {
      throw new KernelError('EINVAL', 'createAddressSpace', `size must be a multiple of the page size (${pageSize}) and at most 2^47 (128 TiB), got ${size}`);
    }
    if (size > 4 * GiB || physical !== undefined) return AddressSpace.createPaged(size, pageSize, backing, physical);
    const headerBytes = computeLayout(size, pageSize).headerBytes;
    if (size < headerBytes + 2 * pageSize) {
      throw new KernelError('EINVAL', 'createAddressSpace', `size ${size} leaves no room beside the ${headerBytes}-byte header`);
    }
    if (!['array', 'shared', 'wasm'].includes(backing)) {
      throw new KernelError('EINVAL', 'createAddressSpace', `backing must be 'array', 'shared' or 'wasm', got ${String(backing)}`);
    }
    if (backing === 'wasm') {
      if (size % 65536 !== 0) throw new KernelError('EINVAL', 'createAddressSpace', 'a wasm-backed space must be a multiple of 64 KiB');
      const memory = options.memory ?? new WA.Memory({ initial: size / 65536, maximum: size / 65536 });
      const have = memory.buffer.byteLength;
      if (have < size) memory.grow((size - have) / 65536);
      return new AddressSpace(memory.buffer, memory, { size, pageSize, backing });
    }
    const buffer = backing === 'shared' ? new SharedArrayBuffer(size) : new ArrayBuffer(size);
    return new AddressSpace(buffer, undefined, { size, pageSize, backing });
  }

  private static createPaged(size: number, pageSize: number, backing: Backing, physical: number | undefined): AddressSpace {
    if (backing !== 'array') {
      throw new ConfigError('backing', 'createAddressSpace', `'array' for a paged space (larger than 4 GiB or with physical): shared and wasm backings hold flat spaces only, got '${String(backing)}'`);
    }
    if (physical !== undefined && (!isUint(physical) || physical % pageSize !== 0 || physical < 16 * pageSize || physical > MAX_PHYSICAL)) {
      throw new KernelError('EINVAL', 'createAddressSpace', `physical must be a multiple of the page size (${pageSize}), at least 16 pages and at most 4 GiB, got ${physical}`);
    }
    const reserved = PAGED_LOW_BYTES + (physical ?? 0) + 16 * pageSize;
    if (size < reserved) {
      throw new KernelError('EINVAL', 'createAddressSpace', `size ${size} leaves no room beside the ${PAGED_LOW_BYTES}-byte low area${physical !== undefined ? ` and the ${physical}-byte direct map` : ''} (at least ${reserved})`);
    }
    return new AddressSpace(new ArrayBuffer(PAGED_HEADER_BYTES), undefined, { size, pageSize, backing, paged: true, physical });
  }

  /** Attaches to a space another thread made, from its buffer or wasm memory. */
  static attach(source: ArrayBuffer | SharedArrayBuffer | WasmMemory): AddressSpace {
    if (source instanceof WA.Memory) return new AddressSpace(source.buffer, source);
    return new AddressSpace(source, undefined);
  }

  // ---------------------------------------------------------------- views

  private bindViews(buffer: ArrayBuffer | SharedArrayBuffer): void {
    this.buffer = buffer;
    this.u8 = new Uint8Array(buffer);
    this.bytes = Buffer.from(buffer as ArrayBuffer, 0, buffer.byteLength);
    this.u16 = new Uint16Array(buffer);
    this.i32 = new Int32Array(buffer);
    this.u32 = new Uint32Array(buffer);
    this.f64 = new Float64Array(buffer);
    this.dv = new DataView(buffer);
  }

  private bindTables(): void {
    const l = this.layout;
    if (this.kernel !== undefined) {
      this.flags = new Uint8Array(0);
      this.flags32 = new Uint32Array(0);
      this.pageOwner = new Uint16Array(0);
      this.bitmap = new Uint32Array(0);
      this.lock = new SpaceLock(this.i32, H.lock, false);
      this.owners.rebind(this.u8, this.u32);
      return;
    }
    this.flags = new Uint8Array(this.buffer, l.flagsOffset, l.pageCount);
    this.flags32 = new Uint32Array(this.buffer, l.flagsOffset, l.pageCount >>> 2);
    this.pageOwner = new Uint16Array(this.buffer, l.ownerOffset, l.pageCount);
    this.bitmap = new Uint32Array(this.buffer, l.bitmapOffset, Math.ceil(l.pageCount / 32));
    this.lock = new SpaceLock(this.i32, H.lock, this.shared);
    this.owners.rebind(this.u8, this.u32);
  }

  /**
   * With wasm backing, `memory.grow` (by wasm code or anyone) detaches the old buffer. Call
   * `refresh()` after running code that may grow it; every syscall also does. When the buffer
   * changed, every view is remade and each `onRefresh` listener is called so allocators re-read
   * `space.u8` & co. Returns true when the views changed.
   */
  refresh(): boolean {
    const m = this.memory;
    if (m === undefined || m.buffer === this.buffer) return false;
    this.bindViews(m.buffer);
    this.bindTables();
    for (const f of this.listeners) f(this);
    return true;
  }

  /** Registers a listener called after the views are remade. Returns a function removing it. */
  onRefresh(listener: (space: AddressSpace) => void): () => void {
    this.listeners.push(listener);
    return () => {
      const i = this.listeners.indexOf(listener);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }

  // ---------------------------------------------------------------- owners

  /** Registers an identity as an owner of pages (and the allocator answering blockAt for them). Returns its index. */
  registerOwner(identity: Identity, allocator?: Allocator): number {
    this.lock.acquire();
    try {
      const index = this.owners.indexOf(identity);
      if (allocator) this.owners.bindAllocator(identity, allocator, index);
      return index;
    } finally {
      this.lock.release();
    }
  }

  /** Owner index of the page holding `addr` (0: none or unmapped). */
  ownerIndexAt(addr: number): number {
    if (!(addr >= 0 && addr < this.size)) return 0;
    if (this.kernel !== undefined) return this.kernel.ownerIndexAt(addr);
    return this.pageOwner[addr >>> this.pageShift]!;
  }

  /** The identity that owns the page holding `addr`, if registered in this thread. */
  ownerAt(addr: number): Identity | null {
    return this.owners.identity(this.ownerIndexAt(addr));
  }

  /** The allocator bound to the owner of the page holding `addr`, if any in this thread. */
  allocatorAt(addr: number): Allocator | null {
    return this.owners.allocator(this.ownerIndexAt(addr));
  }

  /**
   * Who owns `addr`: the leaf allocator, the block (base and size), its allocation site where a
   * wrapper recorded one, and the chain of parents; for unowned addresses the mapping or
   * "unmapped" (registry/who-owns.ts).
   */
  whoOwns(addr: number): Ownership {
    return whoOwns(this, addr);
  }

  /** The label of an owner index ('' for none). */
  ownerLabel(index: number): string {
    return this.owners.label(index);
  }

  // ---------------------------------------------------------------- brk / sbrk

  /** The current program break. */
  get currentBrk(): number {
    return this.kernel !== undefined ? this.kernel.brk : this.u32[H.brk]!;
  }

  /** Where the heap segment starts. */
  get startBrk(): number {
    return this.kernel !== undefined ? this.kernel.startBrk : this.u32[H.startBrk]!;
  }

  /** Sets the program break to `addr` (brk(0) just returns it). Returns the new break; ENOMEM when it cannot move there. */
  brk(addr: number, owner?: Identity | null): number {
    if (!isUint(addr)) throw new KernelError('EINVAL', 'brk', `address must be a non-negative integer, got ${addr}`);
    this.refresh();
    if (addr === 0) return this.currentBrk;
    this.lock.acquire();
    try {
      this.setBrk(addr, owner, 'brk');
      return addr;
    } finally {
      this.lock.release();
    }
  }

  /** Moves the break by `increment` bytes (negative shrinks from the top). Returns the old break, as sbrk does. */
  sbrk(increment: number, owner?: Identity | null): number {
    if (!Number.isInteger(increment)) throw new KernelError('EINVAL', 'sbrk', `increment must be an integer, got ${increment}`);
    this.refresh();
    this.lock.acquire();
    try {
      const old = this.currentBrk;
      if (increment !== 0) this.setBrk(old + increment, owner, 'sbrk');
      return old;
    } finally {
      this.lock.release();
    }
  }

  private setBrk(addr: number, owner: Identity | null | undefined, call: string): void {
    if (this.kernel !== undefined) return this.kernel.setBrk(addr, owner, call);
    const start = this.u32[H.startBrk]!;
    const old = this.u32[H.brk]!;
    if (addr < start) throw new KernelError('ENOMEM', call, `break ${hex(addr)} below start_brk ${hex(start)}`);
    if (addr > this.size) throw new KernelError('ENOMEM', call, `break ${hex(addr)} past the end of the space`);
    const shift = this.pageShift;
    const oldEnd = Math.ceil(old / this.pageSize);
    const newEnd = Math.ceil(addr / this.pageSize);
    if (newEnd > oldEnd) {
      for (let p = oldEnd; p < newEnd; p++) {
        if (this.flags[p]! & PAGE_MAPPED) {
          throw new KernelError('ENOMEM', call, `the heap cannot grow to ${hex(addr)}: ${hex(p << shift >>> 0)} is mapped`);
        }
      }
      const ownerIndex = this.owners.indexOf(owner);
      const first = start >>> shift;
      for (let p = oldEnd; p < newEnd; p++) {
        this.flags[p] = PAGE_MAPPED | PAGE_READ | PAGE_WRITE | PAGE_HEAP | (p === first ? PAGE_START : 0);
        this.pageOwner[p] = ownerIndex;
        this.bitmap[p >>> 5]! |= 1 << (p & 31);
      }
      this.addPages(newEnd - oldEnd, newEnd - oldEnd);
    } else if (newEnd < oldEnd) {
      this.unmapPages(newEnd, oldEnd - newEnd);
    }
    this.u32[H.brk] = addr;
    this.f64[COUNTER.brk]!++;
  }

  // ---------------------------------------------------------------- mmap / munmap

  /**
   * Maps `length` bytes (rounded up to pages) of zeroed anonymous memory with `prot`.
   * `addr` is a hint unless `flags` has MAP_FIXED (replaces whatever was mapped there) or
   * MAP_FIXED_NOREPLACE (EEXIST when any page there is mapped). The pages carry `owner`.
   * Returns the mapping's address. Throws KernelError ENOMEM / EINVAL / EEXIST.
   */
  mmap(addr: number, length: number, prot: number, flags = 0, owner?: Identity | null): number {
    if (!isUint(addr) || addr > this.size) throw new KernelError('EINVAL', 'mmap', `bad address ${addr}`);
    if (!isUint(length) || length === 0) throw new KernelError('EINVAL', 'mmap', `length must be a positive integer, got ${length}`);
    if (!isUint(prot) || prot > 7) throw new KernelError('EINVAL', 'mmap', `bad prot ${prot}`);
    if (!isUint(flags) || (flags & ~KNOWN_FLAGS) !== 0) throw new KernelError('EINVAL', 'mmap', `unknown flags ${hex(flags || 0)}`);
    const fixed = (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) !== 0;
    if (fixed && addr % this.pageSize !== 0) throw new KernelError('EINVAL', 'mmap', `MAP_FIXED address ${hex(addr)} is not page-aligned`);
    const n = Math.ceil(length / this.pageSize);
    if (n > this.pageCount) throw new KernelError('ENOMEM', 'mmap', `${length} bytes is more than the space`);
    if (this.kernel !== undefined) {
      this.f64[COUNTER.mmap]!++;
      return this.kernel.mmap(addr, n, prot, flags, fixed, (flags & MAP_FIXED_NOREPLACE) !== 0 && !(flags & MAP_FIXED), owner);
    }
    this.refresh();
    this.lock.acquire();
    try {
      this.f64[COUNTER.mmap]!++;
      let p0: number;
      if (fixed) {
        p0 = addr >>> this.pageShift;
        if (p0 < this.layout.headerBytes >>> this.pageShift || p0 + n > this.pageCount) {
          throw new KernelError('EINVAL', 'mmap', `fixed range ${hex(addr)}+${length} is outside the mappable area`);
        }
        for (let p = p0; p < p0 + n; p++) {
          const f = this.flags[p]!;
          if (f & PAGE_HEAP) throw new KernelError('EINVAL', 'mmap', `fixed range ${hex(addr)}+${length} overlaps the heap segment (not simulated)`);
          if (f & PAGE_MAPPED && flags & MAP_FIXED_NOREPLACE && !(flags & MAP_FIXED)) {
            throw new KernelError('EEXIST', 'mmap', `${hex(p << this.pageShift >>> 0)} is already mapped`);
          }
        }
        this.unmapPages(p0, n);
      } else {
        p0 = -1;
        if (addr !== 0 && addr % this.pageSize === 0) {
          const h = addr >>> this.pageShift;
          if (h >= Math.ceil(this.u32[H.brk]! / this.pageSize) && h + n <= this.pageCount && this.rangeFree(h, n)) p0 = h;
        }
        if (p0 < 0) p0 = this.findFree(n);
        if (p0 < 0) throw new KernelError('ENOMEM', 'mmap', `no hole of ${n} pages`);
        this.u32[H.freeAreaCache] = p0;
      }
      const ownerIndex = this.owners.indexOf(owner);
      const bits = PAGE_MAPPED | protToFlags(prot);
      for (let p = p0; p < p0 + n; p++) {
        this.flags[p] = p === p0 ? bits | PAGE_START : bits;
        this.pageOwner[p] = ownerIndex;
        this.bitmap[p >>> 5]! |= 1 << (p & 31);
      }
      // A mapping after ours that we split from (fixed over its start) begins a mapping of its own.
      const after = p0 + n;
      if (after < this.pageCount && this.flags[after]! & PAGE_MAPPED && !(this.flags[after]! & PAGE_HEAP)) this.flags[after]! |= PAGE_START;
      this.addPages(n, bits & PAGE_WRITE ? n : 0);
      return (p0 << this.pageShift) >>> 0;
    } finally {
      this.lock.release();
    }
  }

  /** Unmaps every page in [addr, addr + length) (rounded up to pages); unmapped pages inside are fine. Splits mappings. */
  munmap(addr: number, length: number): void {
    this.checkRange('munmap', addr, length);
    if (this.kernel !== undefined) {
      this.f64[COUNTER.munmap]!++;
      return this.kernel.munmap(addr / this.pageSize, Math.ceil(length / this.pageSize), addr, length);
    }
    this.refresh();
    this.lock.acquire();
    try {
      this.f64[COUNTER.munmap]!++;
      const p0 = addr >>> this.pageShift;
      const n = Math.ceil(length / this.pageSize);
      for (let p = p0; p < p0 + n; p++) {
        if (this.flags[p]! & PAGE_HEAP) throw new KernelError('EINVAL', 'munmap', `${hex(addr)}+${length} overlaps the heap segment: shrink it with brk`);
      }
      this.unmapPages(p0, n);
      if (p0 + n > this.u32[H.freeAreaCache]!) this.u32[H.freeAreaCache] = Math.min(this.pageCount, p0 + n);
    } finally {
      this.lock.release();
    }
  }

  /** Changes the protection of every page in the range; ENOMEM when any page there is unmapped. */
  mprotect(addr: number, length: number, prot: number): void {
    this.checkRange('mprotect', addr, length);
    if (!isUint(prot) || prot > 7) throw new KernelError('EINVAL', 'mprotect', `bad prot ${prot}`);
    if (this.kernel !== undefined) {
      this.f64[COUNTER.mprotect]!++;
      return this.kernel.mprotect(addr / this.pageSize, Math.ceil(length / this.pageSize), prot);
    }
    this.refresh();
    this.lock.acquire();
    try {
      this.f64[COUNTER.mprotect]!++;
      const p0 = addr >>> this.pageShift;
      const n = Math.ceil(length / this.pageSize);
      this.requireMapped('mprotect', p0, n);
      // Pages losing write access are measured first: what was written before is resident.
      sampleResidency(this, p0, n);
      const bits = protToFlags(prot);
      let committed = 0;
      for (let p = p0; p < p0 + n; p++) {
        const f = this.flags[p]!;
        committed += (bits & PAGE_WRITE ? 1 : 0) - (f & PAGE_WRITE ? 1 : 0);
        let g = (f & ~(PAGE_READ | PAGE_WRITE)) | bits;
        // A protection change inside a mapping splits it, as on Linux.
        if (p === p0 || p === p0 + n) g |= f & PAGE_HEAP ? 0 : PAGE_START;
        this.flags[p] = g;
      }
      const after = p0 + n;
      if (after < this.pageCount && this.flags[after]! & PAGE_MAPPED && !(this.flags[after]! & PAGE_HEAP)) this.flags[after]! |= PAGE_START;
      this.addPages(0, committed);
    } finally {
      this.lock.release();
    }
  }

  /** madvise: only MADV_DONTNEED, which gives the pages back (they read as zero and are no longer resident). */
  madvise(addr: number, length: number, advice: number): void {
    this.checkRange('madvise', addr, length);
    if (advice !== MADV_DONTNEED) throw new KernelError('EINVAL', 'madvise', `only MADV_DONTNEED (${MADV_DONTNEED}) is simulated, got ${advice}`);
    if (this.kernel !== undefined) {
      this.f64[COUNTER.madvise]!++;
      return this.kernel.madvise(addr / this.pageSize, Math.ceil(length / this.pageSize), addr);
    }
    this.refresh();
    this.lock.acquire();
    try {
      this.f64[COUNTER.madvise]!++;
      const p0 = addr >>> this.pageShift;
      const n = Math.ceil(length / this.pageSize);
      this.requireMapped('madvise', p0, n);
      this.dropPages(p0, n);
    } finally {
      this.lock.release();
    }
  }

  private checkRange(call: string, addr: number, length: number): void {
    if (!isUint(addr) || addr % this.pageSize !== 0) throw new KernelError('EINVAL', call, `address ${addr} is not a page-aligned address`);
    if (!isUint(length) || length === 0) throw new KernelError('EINVAL', call, `length must be a positive integer, got ${length}`);
    if (addr + length > this.size) throw new KernelError('ENOMEM', call, `${hex(addr)}+${length} runs past the end of the space`);
  }

  private requireMapped(call: string, p0: number, n: number): void {
    for (let p = p0; p < p0 + n; p++) {
      if (!(this.flags[p]! & PAGE_MAPPED)) throw new KernelError('ENOMEM', call, `${hex((p << this.pageShift) >>> 0)} is not mapped`);
    }
  }

  private rangeFree(p0: number, n: number): boolean {
    for (let p = p0; p < p0 + n; p++) if (this.flags[p]! & PAGE_MAPPED) return false;
    return true;
  }

  /**
   * Top-down first fit for n free pages, from the free-area cache down to the break, then from
   * mmap_base down to the cache (as Linux's legacy free_area_cache). Skips whole words of the
   * mapped bitmap. Returns the first page or −1.
   */
  private findFree(n: number): number {
    const floor = Math.ceil(this.u32[H.brk]! / this.pageSize);
    const top = this.u32[H.mmapBase]!;
    const cache = Math.min(this.u32[H.freeAreaCache]!, top);
    const r = this.searchDown(cache, floor, n);
    return r >= 0 ? r : this.searchDown(top, Math.max(floor, cache - n), n);
  }

  private searchDown(end: number, floor: number, n: number): number {
    const bm = this.bitmap;
    let run = 0;
    let p = end - 1;
    while (p >= floor) {
      const w = p >>> 5;
      if ((p & 31) === 31 && p - 31 >= floor) {
        const word = bm[w]!;
        if (word === 0) {
          run += 32;
          if (run >= n) return p - 31 + (run - n);
          p -= 32;
          continue;
        }
        if (word === -1 || word === 0xffffffff) {
          run = 0;
          p -= 32;
          continue;
        }
      }
      if (bm[w]! & (1 << (p & 31))) run = 0;
      else if (++run >= n) return p;
      p--;
    }
    return -1;
  }

  /** Unmaps pages (caller holds the lock): zero what was written, update counters, clear tables. */
  private unmapPages(p0: number, n: number): void {
    this.dropPages(p0, n);
    let mapped = 0;
    let committed = 0;
    for (let p = p0; p < p0 + n; p++) {
      const f = this.flags[p]!;
      if (!(f & PAGE_MAPPED)) continue;
      mapped++;
      if (f & PAGE_WRITE) committed++;
      this.flags[p] = 0;
      this.pageOwner[p] = 0;
      this.bitmap[p >>> 5]! &= ~(1 << (p & 31));
    }
    const after = p0 + n;
    if (after < this.pageCount && this.flags[after]! & PAGE_MAPPED && !(this.flags[after]! & PAGE_HEAP)) this.flags[after]! |= PAGE_START;
    this.addPages(-mapped, -committed);
  }

  /**
   * Gives pages back: zero the bytes of each page that was written, clear RESIDENT. A writable
   * page not known RESIDENT is read to see whether it was written, unless the host says it was
   * never touched (then it reads as zero already). Where the host can tell, a RESIDENT page is
   * zeroed only in the parts the host touched too: a space page may straddle two OS pages, and
   * writing zeros over the one nobody touched would fault it in for nothing.
   */
  private dropPages(p0: number, n: number): void {
    const flags = this.flags;
    const ps = this.pageSize;
    const end = p0 + n;
    let p = p0;
    while (p < end) {
      const f = flags[p]!;
      if (!mayHoldWrites(f)) {
        // A page that was never writable holds zeros: mprotect samples residency before it
        // takes write access away, so a written page is RESIDENT by then.
        p++;
      } else if (this.zeroWhole(p, f)) {
        const start = (p << this.pageShift) >>> 0;
        this.u8.fill(0, start, start + ps);
        flags[p] = f & ~PAGE_RESIDENT;
        Atomics.sub(this.i32, H.residentPages, 1);
        p++;
      } else {
        // A run of pages that may hold a written byte: zero those that do, only where the host
        // touched them (writtenPages with clear zeroes the pages some OS page of which is absent).
        let q = p + 1;
        while (q < end && mayHoldWrites(flags[q]!) && !this.zeroWhole(q, flags[q]!)) q++;
        const written = this.writtenPages(p, q - p, true);
        let resident = 0;
        for (let r = p; r < q; r++) {
          if (flags[r]! & PAGE_RESIDENT) {
            flags[r] = flags[r]! & ~PAGE_RESIDENT;
            resident++;
          }
          if (written[r - p] !== 1) continue;
          const start = (r << this.pageShift) >>> 0;
          this.u8.fill(0, start, start + ps);
        }
        if (resident > 0) Atomics.sub(this.i32, H.residentPages, resident);
        p = q;
      }
    }
  }

  /**
   * Whether page p (flags f) is zeroed whole when given back, without a read: it is RESIDENT
   * (written), and either the host cannot be asked or all its OS pages are known touched.
   */
  private zeroWhole(p: number, f: number): boolean {
    return (f & PAGE_RESIDENT) !== 0 && (this.host === null || (this.host !== undefined && this.host.isKnownPresent(p)));
  }

  /**
   * @internal For pages [p0, p0 + n): a mask with 1 where the page holds a non-zero byte. Reads
   * only what the host touched when it can tell (host-pages.ts), every page otherwise; runs of
   * pages are compared together. The mask is scratch, valid until the next call. Caller holds
   * the lock.
   */
  writtenPages(p0: number, n: number, clear = false): Uint8Array {
    if (this.host === undefined) {
      this.host = AddressSpace.askHostPages && this.backing !== 'wasm' && this.size >= HOST_PAGES_MIN_SIZE
        ? (HostPages.locate(this.u8, this.pageSize) ?? null)
        : null;
    }
    if (this.writtenScratch.length < n) this.writtenScratch = new Uint8Array(Math.max(n, this.writtenScratch.length * 2));
    const out = this.writtenScratch;
    if (this.host !== null) this.host.written(p0, n, this.bytes, out, clear);
    else compareRun(this.bytes, p0, n, this.pageSize, out, 0);
    return out;
  }

  /** @internal What the host said about touched pages (null: it cannot say; undefined: not asked yet). */
  get hostPages(): HostPages | null | undefined {
    return this.host;
  }

  private addPages(mapped: number, committed: number): void {
    const f = this.f64;
    const m = (f[COUNTER.mappedPages]! += mapped);
    const c = (f[COUNTER.committedPages]! += committed);
    if (m > f[COUNTER.peakMapped]!) f[COUNTER.peakMapped] = m;
    if (c > f[COUNTER.peakCommitted]!) f[COUNTER.peakCommitted] = c;
  }

  // ---------------------------------------------------------------- figures and maps

  /** Measures residency (residency.ts) and returns the space's figures. */
  stats(): SpaceStats {
    if (this.kernel !== undefined) return this.pagedStats(this.kernel);
    this.refresh();
    this.lock.acquire();
    try {
      sampleResidency(this, 0, this.pageCount);
      return this.counterStats(this.u32[H.brk]!, this.u32[H.startBrk]!);
    } finally {
      this.lock.release();
    }
  }

  /** The figures both kinds of space keep in the header's counters, with the break given. */
  private counterStats(brk: number, startBrk: number): SpaceStats {
    const f = this.f64;
    const ps = this.pageSize;
    return {
      mapped: f[COUNTER.mappedPages]! * ps,
      committed: f[COUNTER.committedPages]! * ps,
      resident: this.i32[H.residentPages]! * ps,
      peakMapped: f[COUNTER.peakMapped]! * ps,
      peakCommitted: f[COUNTER.peakCommitted]! * ps,
      peakResident: f[COUNTER.peakResident]! * ps,
      brk,
      startBrk,
      calls: {
        brk: f[COUNTER.brk]!,
        mmap: f[COUNTER.mmap]!,
        munmap: f[COUNTER.munmap]!,
        mprotect: f[COUNTER.mprotect]!,
        madvise: f[COUNTER.madvise]!,
      },
    };
  }

  /** The figures of a paged space: resident pages are the frames in use, so nothing is scanned. */
  private pagedStats(k: PagedKernel): SpaceStats {
    k.syncResident();
    const frames = k.frames;
    return {
      ...this.counterStats(k.brk, k.startBrk),
      frames: {
        total: frames.totalFrames,
        inUse: frames.framesInUse,
        free: frames.framesFree,
        taken: k.taken,
        charged: k.charged,
        freePerOrder: frames.buddyinfo(),
        largestFreeOrder: frames.largestFreeOrder(),
        tableBytes: k.tableBytes,
      },
    };
  }

  /** Marks page p resident (a store went through the space, or a scan found it written). */
  /** @internal */
  markResident(p: number): void {
    if (this.kernel !== undefined) return;
    const f = this.flags[p]!;
    if (f & PAGE_RESIDENT || !(f & PAGE_MAPPED)) return;
    if (this.shared) {
      if (Atomics.or(this.flags, p, PAGE_RESIDENT) & PAGE_RESIDENT) return;
    } else {
      this.flags[p] = f | PAGE_RESIDENT;
    }
    const r = Atomics.add(this.i32, H.residentPages, 1) + 1;
    if (r > this.f64[COUNTER.peakResident]!) this.f64[COUNTER.peakResident] = r;
  }

  /** Every mapping, lowest first, split where protection or owner changes. */
  mappings(): Mapping[] {
    if (this.kernel !== undefined) return this.kernel.collect(0, this.pageCount);
    this.refresh();
    return collectMappings(this, 0, this.pageCount);
  }

  /** The mapping holding `addr`, or null when unmapped. */
  mappingAt(addr: number): Mapping | null {
    if (!(addr >= 0 && addr < this.size)) return null;
    if (this.kernel !== undefined) return this.kernel.mappingAt(addr);
    const p = addr >>> this.pageShift;
    if (!(this.flags[p]! & PAGE_MAPPED)) return null;
    let s = p;
    while (s > 0 && !(this.flags[s]! & PAGE_START) && this.flags[s - 1]! & PAGE_MAPPED) s--;
    let e = p + 1;
    while (e < this.pageCount && (this.flags[e]! & (PAGE_MAPPED | PAGE_START)) === PAGE_MAPPED) e++;
    return collectMappings(this, s, e).find((m) => m.start <= addr && addr < m.end) ?? null;
  }

  /** The mappings owned by an identity. */
  mappingsOf(identity: Identity): Mapping[] {
    return this.mappings().filter((m) => this.owners.identity(m.owner) === identity);
  }

  /** The mappings in `/proc/<pid>/maps` form, with `[heap]` and each owner's label. */
  maps(): string {
    return formatMaps(this.mappings());
  }

  /** The pid maps() shows, as in /proc/<pid>/maps. */
  get pid(): number {
    return this.u32[H.pid]!;
  }

  /** Protection of the page holding `addr` (PROT_* bits), or −1 when unmapped or outside. */
  protAt(addr: number): number {
    if (!(addr >= 0 && addr < this.size)) return -1;
    const f = this.kernel !== undefined ? this.kernel.pageFlags(Math.floor(addr / this.pageSize)) : this.flags[addr >>> this.pageShift]!;
    return f & PAGE_MAPPED ? (f >>> 1) & 3 : -1;
  }

  /**
   * The flags (PAGE_* bits of layout.ts) of page `page` (address page·pageSize), for either kind
   * of space; 0 outside the space. Reports read this instead of the flat-only `flags` table.
   */
  pageFlags(page: number): number {
    if (this.kernel !== undefined) return this.kernel.pageFlags(page);
    return page >= 0 && page < this.pageCount ? this.flags[page]! : 0;
  }

  /** True for a paged space (larger than 4 GiB, or made with `physical`). */
  get paged(): boolean {
    return this.kernel !== undefined;
  }

  /** The buddy frame allocator of a paged space's physical memory (frames.ts); undefined for a flat space. */
  get frames(): BuddyFrames | undefined {
    return this.kernel?.frames;
  }

  /** Bytes of physical memory of a paged space (its frames); undefined for a flat space. */
  get physical(): number | undefined {
    return this.kernel !== undefined ? this.kernel.totalFrames * this.pageSize : undefined;
  }

  /**
   * First address of the direct map of a space made with `physical`: frame pfn is always at
   * directMapBase + pfn·pageSize (up to the end of the space). Undefined otherwise.
   */
  get directMapBase(): number | undefined {
    const k = this.kernel;
    return k !== undefined && k.strict ? k.directMapBase : undefined;
  }

  /**
   * alloc_pages for a kernel allocator (space made with `physical`): 2^order contiguous,
   * zeroed frames owned by `owner`, readable and writable at directMapBase + pfn·pageSize
   * (checked access too), counted mapped, committed and resident. Returns the first pfn, or −1
   * when no free block of that order exists or the frames are committed to mappings.
   */
  takeFrames(order: number, owner?: Identity | null): number {
    const k = this.requireDirectMap('takeFrames');
    if (!(Number.isInteger(order) && order >= 0 && order <= k.frames.maxOrder)) {
      throw new KernelError('EINVAL', 'takeFrames', `order must be an integer 0 … ${k.frames.maxOrder}, got ${order}`);
    }
    return k.takeFrames(order, this.owners.indexOf(owner));
  }

  /** __free_pages: gives back frames taken with takeFrames (same pfn and order). */
  returnFrames(pfn: number, order: number): void {
    this.requireDirectMap('returnFrames').returnFrames(pfn, order);
  }

  /**
   * vmalloc's mapping: maps frames taken with takeFrames, in the order given, at consecutive
   * pages of a free virtual range — at `addr` when non-zero (EEXIST when any page there is
   * mapped), else found top-down as mmap does. munmap of the range leaves the frames taken.
   * Returns the range's address.
   */
  mapFrames(addr: number, pfns: ArrayLike<number>, prot: number, owner?: Identity | null): number {
    const k = this.requireDirectMap('mapFrames');
    if (!isUint(addr) || addr % this.pageSize !== 0) throw new KernelError('EINVAL', 'mapFrames', `address ${addr} is not page-aligned`);
    if (pfns.length === 0) throw new KernelError('EINVAL', 'mapFrames', 'no frames to map');
    if (!isUint(prot) || prot > 7) throw new KernelError('EINVAL', 'mapFrames', `bad prot ${prot}`);
    return k.mapFrames(addr, pfns, prot, owner);
  }

  private requireDirectMap(call: string): PagedKernel {
    const k = this.kernel;
    if (k === undefined || !k.strict) throw new KernelError('EINVAL', call, 'the space has no physical memory of its own: create it with `physical`');
    return k;
  }

  /** True when every page of [addr, addr + length) is mapped with at least `prot`. */
  accessible(addr: number, length: number, prot: number): boolean {
    if (length === 0) return addr >= 0 && addr <= this.size;
    if (!(addr >= 0 && addr + length <= this.size)) return false;
    const need = PAGE_MAPPED | protToFlags(prot);
    if (this.kernel !== undefined) return this.kernel.accessible(addr, length, need);
    const last = (addr + length - 1) >>> this.pageShift;
    for (let p = addr >>> this.pageShift; p <= last; p++) if ((this.flags[p]! & need) !== need) return false;
    return true;
  }

  // ---------------------------------------------------------------- checked access (the program's side)

  private fault(addr: number, access: 'read' | 'write'): never {
    const m = this.mappingAt(addr);
    throw new SegmentationFault(addr, access, m ? formatMaps([m]).trimEnd() : 'unmapped');
  }

  /** Checks that [addr, addr + n) may be read; throws SegmentationFault at the first byte that may not. */
  checkRead(addr: number, n: number): void {
    if (this.kernel !== undefined) return this.kernel.check(addr, n, false);
    if (!(Number.isInteger(addr) && addr >= 0 && addr + n <= this.size)) this.fault(addr, 'read');
    const last = (addr + n - 1) >>> this.pageShift;
    for (let p = addr >>> this.pageShift; p <= last; p++) {
      if ((this.flags[p]! & (PAGE_MAPPED | PAGE_READ)) !== (PAGE_MAPPED | PAGE_READ)) this.fault(Math.max(addr, (p << this.pageShift) >>> 0), 'read');
    }
  }

  /** Checks that [addr, addr + n) may be written and marks its pages resident. */
  checkWrite(addr: number, n: number): void {
    if (this.kernel !== undefined) return this.kernel.check(addr, n, true);
    if (!(Number.isInteger(addr) && addr >= 0 && addr + n <= this.size)) this.fault(addr, 'write');
    const last = (addr + n - 1) >>> this.pageShift;
    for (let p = addr >>> this.pageShift; p <= last; p++) {
      const f = this.flags[p]!;
      if ((f & (PAGE_MAPPED | PAGE_WRITE)) !== (PAGE_MAPPED | PAGE_WRITE)) this.fault(Math.max(addr, (p << this.pageShift) >>> 0), 'write');
      if (!(f & PAGE_RESIDENT)) this.markResident(p);
    }
  }

  load8(addr: number): number { this.checkRead(addr, 1); return this.kernel !== undefined ? this.raw.u8(addr) : this.u8[addr]!; }
  load16(addr: number): number { this.checkRead(addr, 2); return this.kernel !== undefined ? this.pagedLoad(addr, 2) : this.dv.getUint16(addr, true); }
  load32(addr: number): number { this.checkRead(addr, 4); return this.kernel !== undefined ? this.pagedLoad(addr, 4) : this.dv.getUint32(addr, true); }
  load64(addr: number): bigint {
    this.checkRead(addr, 8);
    if (this.kernel !== undefined) return BigInt(this.pagedLoad(addr, 4)) | (BigInt(this.pagedLoad(addr + 4, 4)) << 32n);
    return this.dv.getBigUint64(addr, true);
  }
  store8(addr: number, v: number): void { this.checkWrite(addr, 1); if (this.kernel !== undefined) this.raw.setU8(addr, v); else this.u8[addr] = v; }
  store16(addr: number, v: number): void { this.checkWrite(addr, 2); if (this.kernel !== undefined) this.pagedStore(addr, v, 2); else this.dv.setUint16(addr, v, true); }
  store32(addr: number, v: number): void { this.checkWrite(addr, 4); if (this.kernel !== undefined) this.pagedStore(addr, v >>> 0, 4); else this.dv.setUint32(addr, v >>> 0, true); }
  store64(addr: number, v: bigint): void {
    this.checkWrite(addr, 8);
    if (this.kernel === undefined) return this.dv.setBigUint64(addr, v, true);
    const x = BigInt.asUintN(64, v);
    this.pagedStore(addr, Number(x & 0xffffffffn), 4);
    this.pagedStore(addr + 4, Number(x >> 32n), 4);
  }

  /** A little-endian load of n ≤ 4 bytes from a paged space, byte by byte (it may straddle pages). */
  private pagedLoad(addr: number, n: number): number {
    let v = 0;
    for (let i = n - 1; i >= 0; i--) v = v * 256 + this.raw.u8(addr + i);
    return v;
  }

  /** A little-endian store of the low n ≤ 4 bytes of v to a paged space, byte by byte. */
  private pagedStore(addr: number, v: number, n: number): void {
    for (let i = 0; i < n; i++) this.raw.setU8(addr + i, (v >>> (8 * i)) & 0xff);
  }

  /** Copies `length` bytes out of the space (checked). */
  read(ptr: number, length: number): Uint8Array {
    if (length === 0) return new Uint8Array(0);
    this.checkRead(ptr, length);
    if (this.kernel !== undefined) return this.raw.readInto(ptr, new Uint8Array(length));
    return this.u8.slice(ptr, ptr + length);
  }

  /** Copies bytes into the space (checked). */
  write(ptr: number, bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    this.checkWrite(ptr, bytes.length);
    if (this.kernel !== undefined) return this.raw.writeFrom(ptr, bytes);
    this.u8.set(bytes, ptr);
  }

  /** Fills [ptr, ptr + length) with `value` (checked), as memset. */
  fill(ptr: number, value: number, length: number): void {
    if (length === 0) return;
    this.checkWrite(ptr, length);
    if (this.kernel !== undefined) return this.raw.fill(ptr, length, value);
    this.u8.fill(value, ptr, ptr + length);
  }
}

/** Makes a new address space (see AddressSpace.create). */
export function createAddressSpace(options: Partial<SpaceOptions> = {}): AddressSpace {
  return AddressSpace.create(options);
}

/** Attaches to a space made by another thread (see AddressSpace.attach). */
export function attachAddressSpace(source: ArrayBuffer | SharedArrayBuffer | WasmMemory): AddressSpace {
  return AddressSpace.attach(source);
}

export { PAGE_HEAP, PAGE_MAPPED, PAGE_READ, PAGE_RESIDENT, PAGE_START, PAGE_WRITE };
