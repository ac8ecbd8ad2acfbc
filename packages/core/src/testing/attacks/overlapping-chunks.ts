/*
 * Overlapping blocks by corrupting the next chunk's size (how2heap's overlapping_chunks): an
 * overflow from block A enlarges the size in the header of its neighbour B so that B seems to
 * cover C too; B is freed with that size and a malloc of the enlarged size returns memory over
 * live C.
 *
 * Steps: 16 blocks of SIZE bytes; three of them, A < B < C, that are neighbours in address order
 * (what lies between them is less than 64 bytes) are found from the addresses malloc returned.
 * The overflow writes every 32-bit word between the end of A's usable size and B (B's in-band
 * header, whatever its layout: dlmalloc-style's prev_foot, head, requested size; a wrapper's red
 * zones) as its old value + (C − B): a size word becomes B's size + C's size with its flag bits
 * kept. When nothing lies between A and B there is no in-band header to corrupt, and the attempt
 * writes nothing. Then free(B) and malloc(usable(B) + (C − B)).
 * Goal: the returned block overlaps live C (overlapping live blocks).
 */

import type { Allocator } from '../../api.js';
import type { AddressSpace } from '../../space/address-space.js';
import { hx, overlaps, type AttackScenario, type Reached } from './kit.js';

const SIZE = 96;
const COUNT = 16;
const NEAR = 64;

/** Three live blocks A < B < C with less than NEAR bytes between the end of one and the next, or null. */
export function neighbours(a: Allocator, blocks: readonly number[]): [number, number, number] | null {
  const s = [...blocks].filter((p) => p !== 0).sort((x, y) => x - y);
  for (let i = 0; i + 2 < s.length; i++) {
    const [x, y, z] = [s[i]!, s[i + 1]!, s[i + 2]!];
    const gx = y - (x + a.usableSize(x));
    const gy = z - (y + a.usableSize(y));
    if (gx >= 0 && gx < NEAR && gy >= 0 && gy < NEAR) return [x, y, z];
  }
  return null;
}

function run(a: Allocator, space: AddressSpace): Reached | string {
  const blocks: number[] = [];
  for (let i = 0; i < COUNT; i++) blocks.push(a.malloc(SIZE));
  const n = neighbours(a, blocks);
  if (n === null) return 'no three blocks are neighbours in memory';
  const [x, y, z] = n;
  const end = x + a.usableSize(x);
  const grow = z - y;
  const from = (end + 3) & ~3;
  if (from >= y) return `nothing lies between ${hx(x)}'s usable end and ${hx(y)}: sizes are kept out of band`;
  const want = a.usableSize(y) + grow;
  for (let w = from; w + 4 <= y; w += 4) space.store32(w, (space.load32(w) + grow) >>> 0);
  a.free(y);
  const q = a.malloc(want);
  if (overlaps(q, a.usableSize(q), z, a.usableSize(z))) {
    return { primitive: 'overlapping live blocks', detail: `after the header words between ${hx(end)} and ${hx(y)} were raised by ${grow}, free(${hx(y)}) then malloc(${want}) returned ${hx(q)}, over live ${hx(z)}` };
  }
  return `malloc(${want}) returned ${hx(q)}, clear of ${hx(z)}`;
}

export const overlappingChunks: AttackScenario = {
  name: 'overlapping-chunks',
  title: "overlapping blocks by corrupting the next chunk's size",
  what: "An overflow enlarges the size in the next chunk's header, so freeing that chunk and allocating the enlarged size returns memory over a live block.",
  source: "how2heap's overlapping_chunks.c (shellphish/how2heap)",
  writes: `for neighbours A < B < C of ${SIZE} bytes: every 32-bit word between the end of A's usable size and B (B's in-band header) raised by C − B, an overflow of A; nothing when the blocks touch`,
  attempts: [{ name: 'size + (C − B)', run }],
};
