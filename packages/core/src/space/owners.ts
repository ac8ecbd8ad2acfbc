/*
 * The owner table: who asked for each page. Names live in the header (OWNER_TABLE, 64-byte
 * slots: [u8 length][utf-8 label]) so every worker attached to the space can name a mapping's
 * owner; the Identity objects and allocators behind the indexes are local to the thread that
 * registered them (an identity is a JS object and cannot cross threads).
 *
 * Invariants: index 0 means "no owner"; 1 ≤ index < ownerCount ≤ OWNER_SLOTS; a label written
 * once never changes; one Identity object maps to one index per thread.
 */

import type { Allocator, Identity } from '../api.js';
import { H, OWNER_SLOT, OWNER_SLOTS, OWNER_TABLE } from './layout.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export class OwnerTable {
  private readonly byIdentity = new Map<Identity, number>();
  private readonly identities: (Identity | undefined)[] = [];
  private readonly allocators: (Allocator | undefined)[] = [];

  constructor(
    private u8: Uint8Array,
    private u32: Uint32Array,
  ) {}

  /** Called when the space's views are remade (wasm memory growth). */
  rebind(u8: Uint8Array, u32: Uint32Array): void {
    this.u8 = u8;
    this.u32 = u32;
  }

  /** Index of an identity, registering it (caller holds the space lock). 0 for null. */
  indexOf(identity: Identity | null | undefined): number {
    if (!identity) return 0;
    const known = this.byIdentity.get(identity);
    if (known !== undefined) return known;
    let count = this.u32[H.ownerCount]!;
    if (count === 0) count = 1;
    if (count >= OWNER_SLOTS) {
      throw new RangeError(`the space's owner table is full (${OWNER_SLOTS - 1} owners)`);
    }
    const bytes = encoder.encode(identity.label).subarray(0, OWNER_SLOT - 1);
    const at = OWNER_TABLE + count * OWNER_SLOT;
    this.u8[at] = bytes.length;
    this.u8.set(bytes, at + 1);
    this.u32[H.ownerCount] = count + 1;
    this.byIdentity.set(identity, count);
    this.identities[count] = identity;
    return count;
  }

  /** Remember which allocator answers `blockAt` for pages of this identity. */
  bindAllocator(identity: Identity, allocator: Allocator, index: number): void {
    this.byIdentity.set(identity, index);
    this.identities[index] = identity;
    this.allocators[index] = allocator;
  }

  /** The label stored for an index ('' for 0 or unknown). */
  label(index: number): string {
    if (index === 0 || index >= this.u32[H.ownerCount]!) return '';
    const at = OWNER_TABLE + index * OWNER_SLOT;
    const n = this.u8[at]!;
    return decoder.decode(this.u8.slice(at + 1, at + 1 + n));
  }

  identity(index: number): Identity | null {
    return this.identities[index] ?? null;
  }

  allocator(index: number): Allocator | null {
    return this.allocators[index] ?? null;
  }
}
