/*
 * The tagged free stack is safe against ABA: a pop that read head A (next B) must fail its CAS
 * after another thread popped A, popped B and pushed A back — the head's address is A again, but
 * its tag moved on. Simulated in one thread by stopping a pop between its read and its CAS.
 * Also: batches pop in stack order and a chain pushes with one CAS; addresses above 2^31 survive.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { popAll, popBatch, pushChain, stackTop } from '../src/free-lists.js';

const MASK = 0xffffffffn;

function setup(): { b64: BigUint64Array; u32: Uint32Array } {
  const sab = new SharedArrayBuffer(1 << 16);
  return { b64: new BigUint64Array(sab, 0, 1), u32: new Uint32Array(sab) };
}

function push1(b64: BigUint64Array, u32: Uint32Array, p: number): void {
  pushChain(b64, 0, u32, p, p);
}

test('an old head read before pop A, pop B, push A no longer compares equal', () => {
  const { b64, u32 } = setup();
  const A = 0x100;
  const B = 0x200;
  const C = 0x300;
  push1(b64, u32, C);
  push1(b64, u32, B);
  push1(b64, u32, A); // stack: A → B → C
  const h = Atomics.load(b64, 0); // a pop stops here: it read top A and A's next B
  assert.is(Number(h & MASK), A);
  assert.is(u32[A >>> 2], B);
  const out = new Uint32Array(4);
  assert.is(popBatch(b64, 0, u32, 1, out), 1); // another thread pops A …
  assert.is(popBatch(b64, 0, u32, 1, out), 1); // … and B (now in use) …
  push1(b64, u32, A); // … and pushes A back: stack A → C
  assert.is(stackTop(b64, 0), A, 'the address alone would look unchanged');
  const stale = ((((h >> 32n) + 1n) & MASK) << 32n) | BigInt(B);
  assert.is.not(Atomics.compareExchange(b64, 0, h, stale), h, 'the stale CAS must fail');
  assert.is(stackTop(b64, 0), A);
  assert.is(u32[A >>> 2], C, 'the stack still reads A → C');
});

test('a batch pops in stack order and a chain pushes with one CAS', () => {
  const { b64, u32 } = setup();
  const blocks = [0x1000, 0x1010, 0x1020, 0x1030, 0x1040];
  for (let k = 0; k < blocks.length - 1; k++) u32[blocks[k]! >>> 2] = blocks[k + 1]!;
  const before = Atomics.load(b64, 0) >> 32n;
  pushChain(b64, 0, u32, blocks[0]!, blocks[4]!);
  assert.is(Atomics.load(b64, 0) >> 32n, before + 1n, 'one tag step for the whole chain');
  const out = new Uint32Array(8);
  assert.is(popBatch(b64, 0, u32, 3, out), 3);
  assert.equal(Array.from(out.subarray(0, 3)), blocks.slice(0, 3));
  assert.is(stackTop(b64, 0), blocks[3]);
  assert.is(popAll(b64, 0), blocks[3]);
  assert.is(stackTop(b64, 0), 0);
  assert.is(popBatch(b64, 0, u32, 3, out), 0);
});

test('addresses above 2^31 go through the head intact', () => {
  const sab = new SharedArrayBuffer(64);
  const b64 = new BigUint64Array(sab, 0, 1);
  // Blocks at high addresses cannot be linked in a 64-byte buffer: push a single-block chain
  // whose link word lies in a view large enough for its index only when it is in range.
  const high = 0xfffffff0;
  const u32 = new Uint32Array(new SharedArrayBuffer(16)); // u32[high >>> 2] is out of range: reads undefined
  pushChain(b64, 0, u32, high, high);
  assert.is(stackTop(b64, 0), high);
  assert.is(popAll(b64, 0), high);
});

test.run();
