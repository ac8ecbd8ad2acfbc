/*
 * heaplab replay's table shows, right under M4, the bytes an allocator holds outside the space
 * (stats().externalBytes, peak over the samples) and their ratio to peak live: what M4 cannot see.
 * Here an allocator that keeps every block's size in a Map, as the example did.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { AllocatorBase, PROT_READ, PROT_WRITE, chunkSource, parseTrace, replay, type AddressSpace, type BlockInfo, type HeapFigures } from '@heaplab/core';
import { replayTable } from '../../src/metrics/table.js';

/** One mapping per block; its requested size in a Map (about 40 bytes an entry), reported as externalBytes. */
class MapAllocator extends AllocatorBase {
  private readonly sizes = new Map<number, number>();
  constructor(space: AddressSpace) {
    super(space, { name: 'map-headers', family: 'test', parameters: {}, description: 'block sizes in a JavaScript Map' });
  }
  protected allocate(size: number): number {
    const p = this.space.mmap(0, Math.max(1, Math.ceil(size / 4096)) * 4096, PROT_READ | PROT_WRITE, 0, this.identity);
    this.sizes.set(p, size);
    return p;
  }
  protected release(ptr: number): void {
    const size = this.sizes.get(ptr);
    if (size === undefined) this.misuse('invalid-free', 'not a block', ptr);
    this.sizes.delete(ptr);
    this.space.munmap(ptr, Math.max(1, Math.ceil(size / 4096)) * 4096);
  }
  protected usable(ptr: number): number {
    const size = this.sizes.get(ptr);
    if (size === undefined) this.misuse('invalid-free', 'not a block', ptr);
    return Math.max(1, Math.ceil(size / 4096)) * 4096;
  }
  blockAt(addr: number): BlockInfo | null {
    for (const [p, s] of this.sizes) if (addr >= p && addr < p + Math.max(1, Math.ceil(s / 4096)) * 4096) return { base: p, size: Math.max(1, Math.ceil(s / 4096)) * 4096 };
    return null;
  }
  protected figures(): HeapFigures {
    let live = 0;
    let usable = 0;
    for (const s of this.sizes.values()) {
      live += s;
      usable += Math.max(1, Math.ceil(s / 4096)) * 4096;
    }
    return { liveBlocks: this.sizes.size, liveBytes: live, usableBytes: usable, metadataBytes: 40 * this.sizes.size, externalBytes: 40 * this.sizes.size };
  }
  check(): void {}
}

test('the replay table shows the bytes held outside the space under M4, with their ratio to peak live', async () => {
  const trace = '# heaplab-trace v1 t\na 1 1000\na 2 1000\na 3 1000\nf 1\nf 2\nf 3\n';
  const r = await replay({ source: chunkSource('t', parseTrace(trace, 't.trace').chunks), allocator: (s) => new MapAllocator(s), sampleEvery: 1, space: { size: 2 ** 24 } });
  assert.equal(r.external, { peak: 120, final: 0 });
  const lines = replayTable([r], []).split('\n').filter((l) => /[A-Za-z]/.test(l));
  const m4 = lines.findIndex((l) => l.includes('M4 peak used / peak live'));
  assert.ok(m4 >= 0);
  assert.match(lines[m4 + 1]!, /outside the space .*120 B \(\+0\.040\)/);
});

test.run();
