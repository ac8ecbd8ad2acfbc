/*
 * WrapperBase: a wrapper is itself an Allocator. It holds the allocator under it
 * (`inner`), has its own identity (family `wrapper`) and becomes the parent of the inner
 * identity, so `whoOwns` and `heaplab list` show the chain leaf → wrapper → … → outermost.
 * Every call is delegated unchanged; a concrete wrapper overrides what it observes or adds.
 *
 * Invariants: `inner.identity.parent === this.identity` from construction on; an allocator is
 * wrapped by at most one wrapper (wrapping it twice is refused, a chain is a line); `space` is
 * the inner allocator's space.
 */

import type { Allocator, AllocatorStats, BlockInfo, Identity, Inspection } from '../api.js';
import { bindInstance, createIdentity, setParent } from '../identity.js';
import type { AddressSpace } from '../space/address-space.js';

/** What a wrapper says about itself when made. */
export interface WrapperInit {
  name: string;
  description: string;
  parameters: Record<string, unknown>;
}

/** A wrapper that records where blocks were allocated: `whoOwns` and the leak report ask it. */
export interface SiteRecorder {
  /** The site recorded for the live block starting at `ptr` (as the wrapper handed it out), or null. */
  siteOf(ptr: number): string | null;
  /** Every live block the wrapper knows, with its requested size and site. */
  liveBlocks(): Iterable<{ ptr: number; size: number; site: string | null }>;
}

/** True when an allocator records allocation sites. */
export function isSiteRecorder(a: unknown): a is SiteRecorder & Allocator {
  return typeof (a as SiteRecorder | null)?.siteOf === 'function' && typeof (a as SiteRecorder).liveBlocks === 'function';
}

export abstract class WrapperBase implements Allocator {
  readonly identity: Identity;
  readonly space: AddressSpace;

  constructor(
    readonly inner: Allocator,
    init: WrapperInit,
  ) {
    if (!inner || typeof inner.malloc !== 'function' || !inner.identity) throw new TypeError(`${init.name}: the allocator to wrap must be an Allocator, got ${String(inner)}`);
    if (inner.identity.parent) throw new TypeError(`${init.name}: ${inner.identity.label} is already wrapped by ${inner.identity.parent.label}`);
    this.space = inner.space;
    this.identity = createIdentity({ name: init.name, family: 'wrapper', parameters: init.parameters, description: init.description });
    setParent(inner.identity, this.identity);
    bindInstance(this.identity, this);
  }

  /** The allocator under every wrapper. */
  get leaf(): Allocator {
    let a: Allocator = this.inner;
    while (a instanceof WrapperBase) a = a.inner;
    return a;
  }

  malloc(size: number): number {
    return this.inner.malloc(size);
  }
  free(ptr: number, size?: number): void {
    this.inner.free(ptr, size);
  }
  calloc(n: number, size: number): number {
    return this.inner.calloc(n, size);
  }
  realloc(ptr: number, size: number): number {
    return this.inner.realloc(ptr, size);
  }
  memalign(alignment: number, size: number): number {
    return this.inner.memalign(alignment, size);
  }
  usableSize(ptr: number): number {
    return this.inner.usableSize(ptr);
  }
  blockAt(addr: number): BlockInfo | null {
    return this.inner.blockAt(addr);
  }
  objectSize(ptr: number): number {
    return this.inner.objectSize(ptr);
  }
  owns(addr: number): boolean {
    return this.inner.owns(addr);
  }
  stats(): AllocatorStats {
    return this.inner.stats();
  }
  check(): void {
    this.inner.check();
  }
  /** The inner allocator's inspection, with this wrapper added to its chain (undefined when the inner has none). */
  inspect(addr: number, brief = false): Inspection | undefined {
    const r = this.inner.inspect?.(addr, brief);
    return r === undefined ? undefined : { ...r, chain: [...r.chain, this.identity.label] };
  }
}
