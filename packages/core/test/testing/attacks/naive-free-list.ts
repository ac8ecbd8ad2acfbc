/*
 * A deliberately naive allocator for the attack kit's own tests: what every technique needs and
 * no defence, so each scenario can be seen reaching its primitive.
 *
 * Layout: chunks in the heap segment, 16-aligned; chunk c = p − 16 holds its size | 3 at c + 4
 * (the glibc-like place a house of spirit forges); the user pointer p = c + 16. Freed blocks go on
 * a LIFO list per chunk size linked through their first word (p + 0: the next user pointer), as
 * glibc's tcache. Nothing is checked: free trusts the size word, a block freed twice is listed
 * twice, links are followed as they are.
 */

import { AllocatorBase, type AddressSpace, type BlockInfo, type HeapFigures } from '../../../src/index.js';

export class NaiveFreeList extends AllocatorBase {
  private top = 0;
  private end = 0;
  private readonly lists = new Map<number, number>();
  private live = 0;

  constructor(space: AddressSpace) {
    super(space, { name: 'naive-free-list', family: 'test', description: 'LIFO lists through freed blocks, no checks (attack kit tests)' });
  }

  protected allocate(size: number): number {
    const nb = Math.max(32, (size + 16 + 15) & ~15);
    const head = this.lists.get(nb) ?? 0;
    this.live++;
    if (head !== 0) {
      this.lists.set(nb, this.space.raw.u32(head));
      return head;
    }
    if (this.top === 0) this.top = this.end = this.space.sbrk(0, this.identity);
    if (this.top + nb > this.end) {
      const grow = Math.max(65536, nb);
      this.space.sbrk(grow, this.identity);
      this.end += grow;
    }
    const c = this.top;
    this.top += nb;
    this.space.raw.setU32(c + 4, nb | 3);
    return c + 16;
  }

  protected release(ptr: number): void {
    const nb = (this.space.raw.u32(ptr - 12) & ~15) >>> 0;
    this.space.raw.setU32(ptr, this.lists.get(nb) ?? 0);
    this.lists.set(nb, ptr);
    this.live--;
  }

  protected usable(ptr: number): number {
    return ((this.space.raw.u32(ptr - 12) & ~15) >>> 0) - 16;
  }

  blockAt(): BlockInfo | null {
    return null;
  }

  protected figures(): HeapFigures {
    return { liveBlocks: this.live, liveBytes: 0, usableBytes: 0, metadataBytes: 0 };
  }

  check(): void {}
}
