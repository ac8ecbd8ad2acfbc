/*
 * The timed loop writes each block through raw views only when the address is a uint32 on a
 * mapped, writable, resident page; everything else goes through the checked store. So an
 * allocator that hands out a wrong pointer stops the replay with the error the checked store (or
 * the engine) gives, never a silent write elsewhere: a non-integer or negative pointer, a pointer
 * on an unmapped or read-only page, a block whose last byte lies past the space.
 */

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { AllocatorBase, HeapCorruption, MAP_FIXED, PROT_READ, PROT_WRITE, SegmentationFault, chunkSource, parseTrace, replay, type AddressSpace, type BlockInfo, type HeapFigures } from '../../src/index.js';

/** Returns `answer(space, size)` from every allocation; frees do nothing. */
class LyingAllocator extends AllocatorBase {
  constructor(
    space: AddressSpace,
    private readonly answer: (space: AddressSpace, size: number) => number,
  ) {
    super(space, { name: 'lying', family: 'test', parameters: {}, description: 'hands out the pointer a test chooses' });
  }
  protected allocate(size: number): number {
    return this.answer(this.space, size);
  }
  protected release(): void {}
  protected usable(): number {
    return 0;
  }
  blockAt(): BlockInfo | null {
    return null;
  }
  protected figures(): HeapFigures {
    return { liveBlocks: 0, liveBytes: 0, usableBytes: 0, metadataBytes: 0 };
  }
  check(): void {}
}

const space = { size: 2 ** 24 };

async function run(trace: string, answer: (space: AddressSpace, size: number) => number): Promise<unknown> {
  const chunks = parseTrace(`# heaplab-trace v1 lying\n${trace}`).chunks;
  try {
    await replay({ source: chunkSource('lying', chunks), allocator: (s) => new LyingAllocator(s, answer), space });
  } catch (e) {
    return e;
  }
  return null;
}

test('a pointer that is not an integer address throws HeapCorruption, even for malloc(0)', async () => {
  for (const [size, p] of [[8, 1.5], [0, 1.5], [8, -16], [0, 2 ** 32 + 16]] as const) {
    const e = await run(`a 1 ${size}\n`, () => p);
    assert.instance(e, HeapCorruption, `malloc(${size}) → ${p}`);
    assert.match((e as Error).message, 'not an address');
  }
});

test('a pointer on an unmapped page throws SegmentationFault', async () => {
  const e = await run('a 1 8\n', (s) => s.size - 4 * s.pageSize);
  assert.instance(e, SegmentationFault);
});

test('a pointer on a read-only page throws SegmentationFault', async () => {
  const e = await run('a 1 8\n', (s) => s.mmap(0, s.pageSize, PROT_READ));
  assert.instance(e, SegmentationFault);
});

test('a block whose last byte lies past the space throws SegmentationFault', async () => {
  const e = await run('a 1 8192\n', (s) => s.mmap(s.size - s.pageSize, s.pageSize, PROT_READ | PROT_WRITE, MAP_FIXED));
  assert.instance(e, SegmentationFault);
});

test('a first write to a mapped page marks it resident (the slow path writes too)', async () => {
  const chunks = parseTrace('# heaplab-trace v1 lying\na 1 5000\n').chunks;
  let base = 0;
  const r = await replay({
    source: chunkSource('lying', chunks),
    allocator: (s) => new LyingAllocator(s, (sp) => (base = sp.mmap(0, 4 * sp.pageSize, PROT_READ | PROT_WRITE)) + sp.pageSize - 8),
    space,
    sampleEvery: 1,
  });
  assert.is(r.used.final, 2 * 4096);
  assert.ok(base > 0);
});

test.run();
