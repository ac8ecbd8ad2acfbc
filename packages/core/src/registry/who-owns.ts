/*
 * whoOwns(space, addr): who owns any address — the leaf allocator (the owner of the
 * page, then its blockAt), the block's base and size, its allocation site where a tracing or
 * checking wrapper recorded one, and the chain of parents up to the outermost wrapper.
 * Unowned addresses answer with the mapping they fall in, or "unmapped".
 *
 * Cost: a page-owner lookup (two typed-array reads), the leaf's blockAt, and, when wrappers sit
 * above, the outermost one's blockAt and one map lookup per site recorder. No mapping scan unless
 * the address is unowned. bench/scripts/registry-costs.ts measures it.
 */

import type { Allocator, BlockInfo, Identity, Mapping } from '../api.js';
import { hex } from '../errors.js';
import { identityChain, instanceOf } from '../identity.js';
import type { AddressSpace } from '../space/address-space.js';
import { formatMaps } from '../space/maps.js';
import { isSiteRecorder } from '../wrappers/base.js';

/** What whoOwns answers. */
export interface Ownership {
  address: number;
  /** The identity owning the page (the leaf allocator, or a wrapper's own page), or null. */
  owner: Identity | null;
  /** The owner's label as the space stores it ('' when none): known in every worker. */
  ownerLabel: string;
  /** The live block holding the address, as the outermost allocator hands it out, or null. */
  block: BlockInfo | null;
  /** The block as the leaf allocator sees it (differs under a checking wrapper's red zones). */
  leafBlock: BlockInfo | null;
  /** The allocation site, where a wrapper recorded one. */
  site: string | null;
  /** The owner and its parents, leaf first. */
  chain: Identity[];
  /** The mapping holding the address (computed for unowned addresses; null when unmapped). */
  mapping: Mapping | null;
  /** One line for people. */
  readonly text: string;
}

class Answer implements Ownership {
  constructor(
    readonly address: number,
    readonly owner: Identity | null,
    readonly ownerLabel: string,
    readonly block: BlockInfo | null,
    readonly leafBlock: BlockInfo | null,
    readonly site: string | null,
    readonly chain: Identity[],
    private readonly space: AddressSpace,
    private cachedMapping: Mapping | null | undefined,
  ) {}

  get mapping(): Mapping | null {
    if (this.cachedMapping === undefined) this.cachedMapping = this.space.mappingAt(this.address);
    return this.cachedMapping;
  }

  get text(): string {
    const at = hex(this.address);
    if (!this.owner && !this.ownerLabel) {
      const m = this.mapping;
      return m ? `${at}: no owner, in mapping ${formatMaps([m]).trim()}` : `${at}: unmapped`;
    }
    const who = this.chain.length > 0 ? this.chain.map((i) => i.label).join(' < ') : this.ownerLabel;
    const b = this.block ?? this.leafBlock;
    if (!b) return `${at}: in memory of ${who}, not in a live block`;
    const off = this.address - b.base;
    return `${at}: ${off === 0 ? 'start of' : `${off} bytes into`} block ${hex(b.base)} (${b.size} bytes)${this.site ? ` allocated at ${this.site}` : ''}, owned by ${who}`;
  }

  toJSON(): Record<string, unknown> {
    return {
      address: hex(this.address),
      owner: this.ownerLabel || null,
      block: this.block ? { base: hex(this.block.base), size: this.block.size } : null,
      leafBlock: this.leafBlock ? { base: hex(this.leafBlock.base), size: this.leafBlock.size } : null,
      site: this.site,
      chain: this.chain.map((i) => i.label),
      mapping: this.mapping ? formatMaps([this.mapping]).trim() : 'unmapped',
    };
  }
}

/** Who owns `addr` in `space`: leaf allocator, block, site, chain of parents (or the mapping, or "unmapped"). */
export function whoOwns(space: AddressSpace, addr: number): Ownership {
  if (typeof addr !== 'number' || !Number.isInteger(addr) || addr < 0 || addr >= space.size) {
    throw new RangeError(`whoOwns: expected an address 0 … ${hex(space.size - 1)}, got ${String(addr)}`);
  }
  const index = space.ownerIndexAt(addr);
  if (index === 0) return new Answer(addr, null, '', null, null, null, [], space, undefined);
  const owner = space.owners.identity(index);
  const label = space.ownerLabel(index);
  const leaf: Allocator | null = space.owners.allocator(index);
  if (!owner || !leaf) return new Answer(addr, owner, label, null, null, null, owner ? identityChain(owner) : [], space, undefined);
  const leafBlock = leaf.blockAt(addr);
  const chain = identityChain(owner);
  let block = leafBlock;
  let site: string | null = null;
  if (chain.length > 1) {
    // The program's view is the outermost allocator's; sites come from the first recorder up the chain.
    const top = instanceOf(chain[chain.length - 1]!);
    if (top) block = top.blockAt(addr);
    for (let k = 1; k < chain.length && site === null; k++) {
      const w = instanceOf(chain[k]!);
      if (w && isSiteRecorder(w)) {
        const b = w.blockAt(addr);
        if (b) site = w.siteOf(b.base);
      }
    }
  }
  return new Answer(addr, owner, label, block, leafBlock, site, chain, space, undefined);
}
