/*
 * The checking wrapper catches, under an allocator that catches none of it (core's tiny bump
 * allocator never checks bounds), a one-byte overflow, an underflow, a double free, an interior
 * and a foreign free and a wrong sized free — each reported with the block, its allocation site
 * and the allocator holding it, before anything changes.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { AllocatorError, createAddressSpace, createCheckingAllocator, withAllocationSite } from '../../src/index.js';
import { TinyAllocator } from '../fixtures/tiny-allocator.js';

function setup() {
  const space = createAddressSpace({ size: 64 * 2 ** 20 });
  const tiny = new TinyAllocator(space, 'none', 2 ** 20);
  const a = createCheckingAllocator(tiny);
  return { space, tiny, a };
}

function caught(f: () => unknown): AllocatorError {
  try {
    f();
  } catch (e) {
    if (e instanceof AllocatorError) return e;
    throw e;
  }
  throw new Error('nothing was detected');
}

test('a one-byte overflow is canary-corrupted on free, naming the block, its site and its allocator', () => {
  const { space, tiny, a } = setup();
  const p = withAllocationSite('lexer.c:88', () => a.malloc(24));
  space.store8(p + 24, 0x41);
  const e = caught(() => a.free(p));
  assert.is(e.code, 'canary-corrupted');
  assert.is(
    e.message,
    `canary-corrupted: free: red zone after block 0x${p.toString(16)} (24 bytes, allocated at lexer.c:88, in ${tiny.identity.label}) overwritten at 0x${(p + 24).toString(16)} (0 bytes past the end) [${a.identity.label}]`,
  );
  assert.is(a.stats().liveBlocks, 1, 'the block is still live: nothing changed');
});

test('an underflow and an overflow found by check() without any free', () => {
  const { space, a } = setup();
  const p = a.malloc(40);
  const q = a.malloc(40);
  a.check();
  space.store8(q - 1, 0);
  assert.match(caught(() => a.check()).message, /red zone before block 0x[0-9a-f]+ \(40 bytes, allocated at [^)]*checking-detects-misuse\.test\.ts:\d+:\d+, in tiny#\d+\) overwritten at 0x[0-9a-f]+ \(1 bytes before the start\)/);
  assert.ok(p !== 0);
});

test('a double free names where the block was allocated and freed', () => {
  const { a } = setup();
  const p = withAllocationSite('alloc-site', () => a.malloc(32));
  withAllocationSite('free-site', () => a.free(p));
  const e = caught(() => a.free(p));
  assert.is(e.code, 'double-free');
  assert.match(e.message, new RegExp(`^double-free: free of 0x${p.toString(16)}, already freed: block 0x${p.toString(16)} \\(32 bytes, allocated at alloc-site, freed at free-site, in tiny#\\d+\\)`));
});

test('interior, foreign and wrongly sized frees', () => {
  const { space, a } = setup();
  const p = withAllocationSite('here', () => a.malloc(64));
  const e1 = caught(() => a.free(p + 16));
  assert.is(e1.code, 'invalid-free');
  assert.match(e1.message, new RegExp(`free of 0x${(p + 16).toString(16)}, 16 bytes into block 0x${p.toString(16)} \\(64 bytes, allocated at here`));
  const foreign = space.mmap(0, 4096, 3);
  assert.is(caught(() => a.free(foreign + 16)).code, 'invalid-free');
  assert.is(caught(() => a.free(p, 63)).code, 'size-mismatch');
  assert.is(caught(() => a.realloc(p + 32, 10)).code, 'invalid-free');
  a.free(p, 64);
  a.check();
});

test('a pointer handed out again is not a double free', () => {
  const { a } = setup();
  const p = a.malloc(16);
  a.free(p);
  const q = a.malloc(16);
  a.free(q);
  assert.ok(q !== 0);
});

test('bad options name the option', () => {
  const { tiny } = setup();
  assert.throws(() => createCheckingAllocator(tiny, { redZone: 0 }), /checking: option redZone must be an integer 1 … 4096, got 0/);
});

test.run();
