/*
 * Poison null byte (Chris Evans / Google Project Zero, 2014; how2heap's poison_null_byte): an
 * off-by-one write of a single NUL past a block's end shrinks the next free chunk's size, so the
 * allocator's boundary tags disagree and a later consolidation takes in a live block.
 *
 * Steps (how2heap's, sizes past any per-size cache): a = malloc(0x108), b = malloc(0x800),
 * c = malloc(0x400), then a guard so c does not border the top; free(b); then the one write: a 0
 * byte at a + usableSize(a), the byte right after a's usable size — in glibc the low byte of b's
 * size field. Then b1 = malloc(0x400), b2 = malloc(0x200) (carved from b by its shrunk size),
 * free(b1), free(c) (c's stale prev_size still names b's start, so c merges backward over b2),
 * d = malloc(0xc00).
 * Goal: d overlaps live b2 (overlapping live blocks). If not, the program carries on and frees a,
 * so an allocator that checks the byte after a block (a canary, a red zone) can see it.
 */

import type { Allocator } from '../../api.js';
import type { AddressSpace } from '../../space/address-space.js';
import { hx, overlaps, type AttackScenario, type Reached } from './kit.js';

function run(m: Allocator, space: AddressSpace): Reached | string {
  const a = m.malloc(0x108);
  const b = m.malloc(0x800);
  const c = m.malloc(0x400);
  m.malloc(0x100);
  if (a === 0 || b === 0 || c === 0) return 'out of memory';
  m.free(b);
  const at = a + m.usableSize(a);
  space.store8(at, 0);
  const b1 = m.malloc(0x400);
  const b2 = m.malloc(0x200);
  m.free(b1);
  m.free(c);
  const d = m.malloc(0xc00);
  if (overlaps(d, m.usableSize(d), b2, m.usableSize(b2))) {
    return { primitive: 'overlapping live blocks', detail: `after one NUL at ${hx(at)}, malloc(0xc00) returned ${hx(d)}, over live ${hx(b2)}` };
  }
  m.free(a);
  return `one NUL at ${hx(at)}; malloc(0xc00) returned ${hx(d)}, clear of live ${hx(b2)}`;
}

export const poisonNullByte: AttackScenario = {
  name: 'poison-null-byte',
  title: 'poison null byte',
  what: "A single NUL byte written one past a block's end shrinks the next chunk's size, and the boundary tags that then disagree let a consolidation swallow a live block.",
  source: "Chris Evans, \"The poisoned NUL byte, 2014 edition\" (Google Project Zero blog); how2heap's poison_null_byte.c",
  writes: 'one 0 byte at a + usableSize(a), the byte after the usable size of a 0x108-byte block whose neighbour b (0x800 bytes) was just freed',
  attempts: [{ name: 'NUL after a', run }],
};
