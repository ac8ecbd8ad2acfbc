/*
 * The tagged free stack is safe against ABA: a pop that read head A (next B) must fail its CAS
 * after another thread popped A, popped B and pushed A back — the head's address is A again, but
 * its tag moved on. Simulated in one thread by stopping a pop between its read and its CAS.
 * Also: batches pop in stack order and a chain pushes with one CAS; handles above 2^31 survive.
 * The stack's head is at address HEAD of a shared flat space (hb = 0: handles are addresses).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { MAP_FIXED, PROT_READ, PROT_WRITE, createAddressSpace, type RawMemory } from '@heaplab/core';
import { popAll, popBatch, pushChain, stackTop } from '../src/free-lists.js';

const MASK = 0xffffffffn;

const HEAD = 0x10000;

function setup(): { m: RawMemory; b64: BigUint64Array; u32: Uint32Array } {
  const space = createAddressSpace({ size: 1 << 20, backing: 'shared' });
  return { m: space.raw, b64: new BigUint64Array(space.buffer, HEAD, 1), u32: space.u32 };
}

function push1(m: RawMemory, b64: BigUint64Array, p: number): void {
  pushChain(b64, 0, m, 0, p, p);
}

test('an old head read before pop A, pop B, push A no longer compares equal', () => {
  const { m, b64, u32 } = setup();
  const A = 0x100;
  const B = 0x200;
  const C = 0x300;
  push1(m, b64, C);
  push1(m, b64, B);
  push1(m, b64, A); // stack: A → B → C
  const h = Atomics.load(b64, 0); // a pop stops here: it read top A and A's next B
  assert.is(Number(h & MASK), A);
  assert.is(u32[A >>> 2], B);
  const out = new Uint32Array(4);
  assert.is(popBatch(b64, 0, m, 0, 1, out), 1); // another thread pops A …
  assert.is(popBatch(b64, 0, m, 0, 1, out), 1); // … and B (now in use) …
  push1(m, b64, A); // … and pushes A back: stack A → C
  assert.is(stackTop(b64, 0), A, 'the address alone would look unchanged');
  const stale = ((((h >> 32n) + 1n) & MASK) << 32n) | BigInt(B);
  assert.is.not(Atomics.compareExchange(b64, 0, h, stale), h, 'the stale CAS must fail');
  assert.is(stackTop(b64, 0), A);
  assert.is(u32[A >>> 2], C, 'the stack still reads A → C');
});

test('a batch pops in stack order and a chain pushes with one CAS', () => {
  const { m, b64, u32 } = setup();
  const blocks = [0x1000, 0x1010, 0x1020, 0x1030, 0x1040];
  for (let k = 0; k < blocks.length - 1; k++) u32[blocks[k]! >>> 2] = blocks[k + 1]!;
  const before = Atomics.load(b64, 0) >> 32n;
  pushChain(b64, 0, m, 0, blocks[0]!, blocks[4]!);
  assert.is(Atomics.load(b64, 0) >> 32n, before + 1n, 'one tag step for the whole chain');
  const out = new Uint32Array(8);
  assert.is(popBatch(b64, 0, m, 0, 3, out), 3);
  assert.equal(Array.from(out.subarray(0, 3)), blocks.slice(0, 3));
  assert.is(stackTop(b64, 0), blocks[3]);
  assert.is(popAll(b64, 0), blocks[3]);
  assert.is(stackTop(b64, 0), 0);
  assert.is(popBatch(b64, 0, m, 0, 3, out), 0);
});

test('handles above 2^31 go through the head intact', () => {
  // A single-block chain whose link word is written in the block: handle 0xfffffff0 of a heap
  // whose handle base is hb (a 2^47 space's) names address hb + 0xfffffff0, mapped here.
  const space = createAddressSpace({ size: 2 ** 47 });
  const m = space.raw;
  const hb = 2 ** 47 - 2 ** 32;
  space.mmap(hb + 0xfffff000, 4096, PROT_READ | PROT_WRITE, MAP_FIXED);
  const b64 = new BigUint64Array(new SharedArrayBuffer(8));
  const high = 0xfffffff0;
  m.setU32(hb + high, 0xdead);
  pushChain(b64, 0, m, hb, high, high);
  assert.is(stackTop(b64, 0), high);
  assert.is(m.u32(hb + high), 0, 'the link of the last block is 0');
  assert.is(popAll(b64, 0), high);
});

test.run();
