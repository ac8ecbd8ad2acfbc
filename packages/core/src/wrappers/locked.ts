/*
 * locked: an Atomics mutex around any allocator, so workers attached to one shared space can
 * share it, as glibc locks an arena. Every call takes the lock, calls the inner
 * allocator, releases.
 *
 * The mutex lives in the shared memory, in a page of its own mapped by the first instance and
 * owned by it; other workers attach by passing its address (`lockAddress`). Layout of the page:
 *
 *   +0   u32  magic ^ page address (an attach to a wrong address is refused)
 *   +4   i32  state: 0 unlocked, 1 locked, 2 locked with waiters (Drepper's futex mutex)
 *   +8   u32  instances attached
 *   +16  f64 × 6  calls made through every instance: malloc, calloc, realloc, memalign, free, failures
 *
 * The call counters are plain (non-atomic) read-modify-writes done while holding the lock: two
 * workers' totals add up exactly only if the mutex excludes them, which the tests check.
 * Invariants: state ≠ 0 exactly while one thread is inside a call; the counters only change
 * under the lock. Without a SharedArrayBuffer there is no other thread: the lock never waits.
 */

import type { Allocator, AllocatorStats, BlockInfo } from '../api.js';
import { PROT_READ, PROT_WRITE } from '../api.js';
import { hex } from '../errors.js';
import { WrapperBase } from './base.js';

/** Options of the locked wrapper. */
export interface LockedOptions {
  /** Attach to the lock page another instance mapped (its `lockAddress`). Default 0: map a new one. */
  lockAddress: number;
  /** Spins before sleeping on the lock word. Default 100. */
  spins: number;
}

export const LOCKED_DEFAULTS: Readonly<LockedOptions> = Object.freeze({ lockAddress: 0, spins: 100 });

const MAGIC = 0x6c6f636b; // 'lock'
const W_STATE = 1;
const W_ATTACHED = 2;
const F_CALLS = 2; // f64 index of the first counter, from the page start
const C_MALLOC = 0;
const C_CALLOC = 1;
const C_REALLOC = 2;
const C_MEMALIGN = 3;
const C_FREE = 4;
const C_FAIL = 5;

export class LockedAllocator extends WrapperBase {
  readonly options: Readonly<LockedOptions>;
  /** Address of the lock page: pass it to other workers' instances. */
  readonly lockAddress: number;
  private readonly state: number; // address of the state word
  private readonly calls: number; // address of the first counter
  private readonly shared: boolean;

  constructor(inner: Allocator, options: Partial<LockedOptions> = {}) {
    const o = { ...LOCKED_DEFAULTS, ...options };
    if (!Number.isInteger(o.lockAddress) || o.lockAddress < 0) throw new TypeError(`locked: option lockAddress must be a page address or 0, got ${String(o.lockAddress)}`);
    if (!Number.isInteger(o.spins) || o.spins < 0) throw new TypeError(`locked: option spins must be a non-negative integer, got ${String(o.spins)}`);
    super(inner, { name: 'locked', description: 'an Atomics mutex in the shared memory around every call', parameters: { ...o } });
    this.options = Object.freeze(o);
    const space = this.space;
    space.registerOwner(this.identity, this);
    let page = o.lockAddress;
    if (page === 0) {
      page = space.mmap(0, space.pageSize, PROT_READ | PROT_WRITE, 0, this.identity);
      space.raw.setU32(page, (MAGIC ^ page) >>> 0);
    } else if (page % space.pageSize !== 0 || !space.accessible(page, 32, PROT_READ | PROT_WRITE) || space.raw.u32(page) !== ((MAGIC ^ page) >>> 0)) {
      throw new TypeError(`locked: ${hex(page)} is not the lock page of a locked allocator in this space`);
    }
    this.lockAddress = page;
    this.state = page + 4 * W_STATE;
    this.calls = page + 8 * F_CALLS;
    this.shared = space.shared;
    Atomics.add(space.raw.atomicWords, space.raw.atomicIndex(page + 4 * W_ATTACHED), 1);
  }

  /** Takes the mutex (spins, then sleeps on the word with Atomics.wait). */
  lock(): void {
    const m = this.space.raw;
    const w = m.atomicIndex(this.state);
    const i32 = m.atomicWords;
    let c = Atomics.compareExchange(i32, w, 0, 1);
    if (c === 0) return;
    if (!this.shared) throw new Error(`${this.identity.label}: lock taken twice in one thread (a call re-entered the allocator)`);
    for (let k = 0; k < this.options.spins; k++) {
      c = Atomics.compareExchange(i32, w, 0, 1);
      if (c === 0) return;
    }
    if (c !== 2) c = Atomics.exchange(i32, w, 2);
    while (c !== 0) {
      Atomics.wait(i32, w, 2);
      c = Atomics.exchange(i32, w, 2);
    }
  }

  /** Releases the mutex, waking one waiter if any. */
  unlock(): void {
    const m = this.space.raw;
    const w = m.atomicIndex(this.state);
    const i32 = m.atomicWords;
    if (Atomics.sub(i32, w, 1) !== 1) {
      Atomics.store(i32, w, 0);
      if (this.shared) Atomics.notify(i32, w, 1);
    }
  }

  /** Adds one to counter k (caller holds the lock). */
  private bump(k: number): void {
    const m = this.space.raw;
    const a = this.calls + 8 * k;
    m.setF64(a, m.f64(a) + 1);
  }

  private counted(k: number, p: number): number {
    const m = this.space.raw;
    const a = this.calls + 8 * k;
    m.setF64(a, m.f64(a) + 1);
    if (p === 0 && k !== C_FREE) m.setF64(this.calls + 8 * C_FAIL, m.f64(this.calls + 8 * C_FAIL) + 1);
    return p;
  }

  override malloc(size: number): number {
    this.lock();
    try {
      return this.counted(C_MALLOC, this.inner.malloc(size));
    } finally {
      this.unlock();
    }
  }

  override calloc(n: number, size: number): number {
    this.lock();
    try {
      return this.counted(C_CALLOC, this.inner.calloc(n, size));
    } finally {
      this.unlock();
    }
  }

  override memalign(alignment: number, size: number): number {
    this.lock();
    try {
      return this.counted(C_MEMALIGN, this.inner.memalign(alignment, size));
    } finally {
      this.unlock();
    }
  }

  override realloc(ptr: number, size: number): number {
    this.lock();
    try {
      const p = this.inner.realloc(ptr, size);
      this.bump(C_REALLOC);
      if (p === 0 && size !== 0) this.bump(C_FAIL);
      return p;
    } finally {
      this.unlock();
    }
  }

  override free(ptr: number, size?: number): void {
    this.lock();
    try {
      this.inner.free(ptr, size);
      if (ptr !== 0) this.bump(C_FREE);
    } finally {
      this.unlock();
    }
  }

  override usableSize(ptr: number): number {
    this.lock();
    try {
      return this.inner.usableSize(ptr);
    } finally {
      this.unlock();
    }
  }

  override objectSize(ptr: number): number {
    this.lock();
    try {
      return this.inner.objectSize(ptr);
    } finally {
      this.unlock();
    }
  }

  override blockAt(addr: number): BlockInfo | null {
    this.lock();
    try {
      return this.inner.blockAt(addr);
    } finally {
      this.unlock();
    }
  }

  override stats(): AllocatorStats {
    this.lock();
    try {
      return this.inner.stats();
    } finally {
      this.unlock();
    }
  }

  override check(): void {
    this.lock();
    try {
      this.inner.check();
    } finally {
      this.unlock();
    }
  }

  /** Calls made through every instance attached to this lock page (all workers together). */
  sharedCalls(): { malloc: number; calloc: number; realloc: number; memalign: number; free: number; failures: number } {
    const m = this.space.raw;
    const c = this.calls;
    return { malloc: m.f64(c + 8 * C_MALLOC), calloc: m.f64(c + 8 * C_CALLOC), realloc: m.f64(c + 8 * C_REALLOC), memalign: m.f64(c + 8 * C_MEMALIGN), free: m.f64(c + 8 * C_FREE), failures: m.f64(c + 8 * C_FAIL) };
  }

  /** Instances attached to the lock page, this one included. */
  get attached(): number {
    const m = this.space.raw;
    return Atomics.load(m.atomicWords, m.atomicIndex(this.lockAddress + 4 * W_ATTACHED));
  }
}

/** Wraps an allocator with a mutex in the shared memory (pass `lockAddress` to attach from another worker). */
export function createLockedAllocator(inner: Allocator, options: Partial<LockedOptions> = {}): LockedAllocator {
  return new LockedAllocator(inner, options);
}
