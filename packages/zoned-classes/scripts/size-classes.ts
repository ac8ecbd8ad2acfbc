/*
 * Prints the internal fragmentation of each size class, as a Markdown table for the README.
 * Run: npx tsx scripts/size-classes.ts [--no-canary] [--no-extended]
 *
 * A class serves requests from (previous class's usable + 1) to its own usable size (slot − 8-byte
 * canary). For a request r it wastes slot − r bytes (canary included). Worst case: the smallest
 * request it serves; mean: over requests uniform in its range. Slab waste: the bytes at the end of
 * a slab no slot uses, as a share of the slab.
 */
import { sizeClassTable } from '../src/index.js';

const canary = process.argv.includes('--no-canary') ? 0 : 8;
const extended = !process.argv.includes('--no-extended');
const t = sizeClassTable({ extended, canary });
const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;
console.log(`Size classes (canary ${canary} B, ${extended ? 'extended to 128 KiB' : 'up to 16 KiB'}, 4 KiB pages)\n`);
console.log('| class | slot | usable | requests | worst waste | mean waste | slab | slots | slab waste |');
console.log('|---:|---:|---:|---|---:|---:|---:|---:|---:|');
let prev = 0;
for (const c of t) {
  if (c.index === 0) {
    console.log(`| 0 | ${c.slotSize} | 0 | 0 (never accessible) | — | — | ${c.slabPages * 4} KiB | ${c.slots} | — |`);
    continue;
  }
  const lo = prev + 1;
  const hi = c.usable;
  const worst = (c.slotSize - lo) / c.slotSize;
  const mean = (c.slotSize - (lo + hi) / 2) / c.slotSize;
  console.log(`| ${c.index} | ${c.slotSize} | ${hi} | ${lo}–${hi} | ${pct(worst)} | ${pct(mean)} | ${c.slabPages * 4} KiB | ${c.slots} | ${pct(c.slabWaste / (c.slabPages * 4096))} |`);
  prev = hi;
}
