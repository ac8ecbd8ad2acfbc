/*
 * Reading a freed block (use after free, read side): what a dangling pointer can still see.
 *
 * Attempt "heap address": 64 blocks of 48 bytes, each filled with 0x41; all freed; then the
 * program reads, through each dangling pointer p, the words from p − 16 to p + 16 (the block's
 * first words and the header below it). Goal: a word the fill did not put there that is an address
 * inside memory the allocator owns (a free-list link: a heap address, the first step of defeating
 * ASLR), or such an address shifted right by 12 (the tail of a safe-linked list stores
 * (position >> 12) XOR 0, which leaks the heap's page number: Check Point's note on safe-linking).
 *
 * Attempt "reuse": a = malloc(48) is filled with a secret, freed, and b = malloc(48) written with
 * another secret; the program reads through a. Goal: the dangling pointer reads b's secret (a leak
 * of another block: the freed memory was handed out again while a pointer to it lived on).
 *
 * Reads go through the space's checked loads: an unmapped or protected freed block faults.
 */

import type { Allocator } from '../../api.js';
import type { AddressSpace } from '../../space/address-space.js';
import { hx, type AttackScenario, type Reached } from './kit.js';

const SIZE = 48;
const FILL = 0x41414141;

function heapAddress(a: Allocator, space: AddressSpace): Reached | string {
  const blocks: number[] = [];
  for (let i = 0; i < 64; i++) {
    const p = a.malloc(SIZE);
    if (p === 0) return 'out of memory';
    space.fill(p, 0x41, SIZE);
    blocks.push(p);
  }
  for (const p of blocks) a.free(p);
  for (const p of blocks) {
    for (let w = p - 16; w < p + 16; w += 4) {
      if (w <= 0 || !space.accessible(w, 4, 1)) continue;
      const v = space.load32(w);
      if (v === FILL || v === 0) continue;
      if (w >= p && a.owns(v)) return { primitive: 'leak of a heap address', detail: `freed ${hx(p)} holds ${hx(v)} at ${hx(w)}, an address the allocator owns` };
      if (v === w >>> 12) return { primitive: 'leak of a heap address', detail: `freed ${hx(p)} holds ${hx(v)} at ${hx(w)}: that word's own address >> 12, the page number of the heap (a safe-linked list's tail)` };
      if (w < p && (v & 15) === 0 && a.owns(v)) return { primitive: 'leak of a heap address', detail: `the header of freed ${hx(p)} holds ${hx(v)} at ${hx(w)}, an address the allocator owns` };
    }
  }
  return 'no freed block shows an address of the heap';
}

function reuse(a: Allocator, space: AddressSpace): Reached | string {
  const x = a.malloc(SIZE);
  space.fill(x, 0x11, SIZE);
  a.free(x);
  const y = a.malloc(SIZE);
  space.fill(y, 0x5a, SIZE);
  const seen = space.read(x, SIZE);
  if (seen.every((b) => b === 0x5a)) return { primitive: 'leak of another block', detail: `the dangling ${hx(x)} reads the secret of the new block ${hx(y)}` };
  return `the dangling ${hx(x)} does not read the new block's bytes (the new block is ${hx(y)})`;
}

export const readAfterFree: AttackScenario = {
  name: 'read-after-free',
  title: 'reading a freed block (leak after free and reuse)',
  what: 'A dangling pointer reads a freed block: the free-list link left there leaks a heap address, and once the block is reused it leaks the new owner\'s data.',
  source: "how2heap's tcache and unsorted-bin leaks (shellphish/how2heap); CWE-416; Check Point Research's safe-linking write-up on the page number a list tail leaks",
  writes: 'nothing into freed memory: reads of the words from p − 16 to p + 16 of 64 freed 48-byte blocks, and of a freed block after malloc handed out a new block of the same size',
  attempts: [
    { name: 'heap address', run: heapAddress },
    { name: 'reuse', run: reuse },
  ],
};
