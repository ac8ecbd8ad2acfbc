/*
 * House of spirit: the program frees a pointer into memory it controls — here the inside of one
 * of its own live blocks — after forging a chunk header there, and a later malloc returns that
 * pointer: memory inside a live block now belongs to two owners.
 *
 * Steps: a live block L of 512 bytes; the fake block's pointer F = L + 128 (16-aligned). The
 * attacker forges, inside L, what a boundary-tag header of a 48-byte chunk holding a 32-byte block
 * looks like in the known layouts:
 *   F − 16 … F − 4  prev_size 0, size 0x33 (48 | in use | previous in use), requested 32, 0
 *   F − 8, F − 4    also 0x31 / 0x33 in the 64-bit glibc place (size word at F − 8)
 *   F + 32 … F + 44 the next fake chunk: 0, 0x21 (a small in-use chunk), 0, 0 — glibc checks the
 *                   next chunk's size is sane
 * (all inside L, written through the space's checked stores), then free(F), then malloc(32) a
 * few times. Goal: a returned pointer inside L while L is live (overlapping live blocks).
 */

import type { AddressSpace } from '../../space/address-space.js';
import type { Allocator } from '../../api.js';
import { hx, overlaps, type AttackScenario, type Reached } from './kit.js';

const OUTER = 512;
const INNER = 32;

function forge(space: AddressSpace, f: number, glibcPlace: boolean): void {
  if (glibcPlace) {
    space.store32(f - 16, 0);
    space.store32(f - 12, 0);
    space.store32(f - 8, 0x31);
    space.store32(f - 4, 0);
  } else {
    space.store32(f - 16, 0);
    space.store32(f - 12, 0x33);
    space.store32(f - 8, INNER);
    space.store32(f - 4, 0);
  }
  space.store32(f + 32, 0);
  space.store32(f + 36, 0x21);
  space.store32(f + 40, 0);
  space.store32(f + 44, 0);
}

function run(a: Allocator, space: AddressSpace, glibcPlace: boolean): Reached | string {
  const l = a.malloc(OUTER);
  if (l === 0) return 'out of memory';
  const n = a.usableSize(l);
  const f = l + 128;
  forge(space, f, glibcPlace);
  a.free(f);
  for (let i = 0; i < 4; i++) {
    const q = a.malloc(INNER);
    if (overlaps(l, n, q, a.usableSize(q))) {
      return { primitive: 'overlapping live blocks', detail: `after free(${hx(f)}) of a forged chunk inside live block ${hx(l)}, malloc(${INNER}) returned ${hx(q)}, inside it` };
    }
  }
  return 'free of the forged chunk returned, but no malloc handed out memory inside the live block';
}

export const houseOfSpirit: AttackScenario = {
  name: 'house-of-spirit',
  title: 'house of spirit',
  what: 'A pointer to a forged chunk inside memory the attacker controls is freed, so malloc later returns memory the attacker already holds.',
  source: "Phrack 66 (2009), \"Malloc Des-Maleficarum\" (blackngel), after Phantasmal Phantasmagoria's \"The Malloc Maleficarum\" (2005); how2heap's house_of_spirit.c",
  writes: 'inside a live 512-byte block L, at F = L + 128: a forged boundary-tag header below F (size 48 with its in-use bits, in the dlmalloc-style place F − 12 or the 64-bit glibc place F − 8, one attempt each) and a next-chunk size 0x21 at F + 36; then free(F)',
  attempts: [
    { name: 'header at F−12', run: (a, space) => run(a, space, false) },
    { name: 'header at F−8', run: (a, space) => run(a, space, true) },
  ],
};
