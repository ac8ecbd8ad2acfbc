/*
 * Prints the computed size-class table (Markdown) for the README: per class its size, run,
 * blocks per run, slack, local cache capacity, and the worst internal fragmentation (a request
 * one byte above the class below). Options as flags, e.g. --largestClass 131072.
 *
 *   npx tsx packages/bump-freestack/scripts/size-classes.ts [--largestClass N] [--classesPerDoubling N]
 */
import { parseArgs } from 'node:util';
import { computeSizeClasses, resolveOptions } from '../src/index.js';

const { values } = parseArgs({ options: { largestClass: { type: 'string' }, classesPerDoubling: { type: 'string' } } });
const o = resolveOptions({
  ...(values.largestClass ? { largestClass: Number(values.largestClass) } : {}),
  ...(values.classesPerDoubling ? { classesPerDoubling: Number(values.classesPerDoubling) } : {}),
}, 4096);
const cs = computeSizeClasses(o, 4096);
console.log('| class | size | run | blocks/run | slack | cache | worst internal fragmentation |');
console.log('|---:|---:|---:|---:|---:|---:|---:|');
for (const c of cs) {
  const below = c.index === 0 ? 0 : cs[c.index - 1]!.size;
  const worst = (c.size - (below + 1)) / c.size;
  console.log(`| ${c.index} | ${c.size} | ${c.runBytes / 1024} KiB | ${c.blocks} | ${c.slack} | ${c.cacheCap} | ${(worst * 100).toFixed(1)} % |`);
}
