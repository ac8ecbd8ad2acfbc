/*
 * What each size class's zone can hold, per preset and space size: the usable bytes of all the
 * slots its zone's slabs offer (slabs × slots × usable size; guard slabs excluded), for a 256 MiB
 * space, a 4 GiB space (zones share half of the space) and a paged 2^47-byte space (each zone is
 * hardened_malloc's 32 GiB class region). Prints the README's Markdown table.
 * Run: npx tsx scripts/zone-capacity.ts
 */
import { createAddressSpace } from '@heaplab/core';
import { createZonedAllocator, type PresetName } from '../src/index.js';

const SIZES: [string, number][] = [['256 MiB', 2 ** 28], ['4 GiB', 2 ** 32], ['2^47', 2 ** 47]];
const PRESETS: PresetName[] = ['default', 'light'];

function bytes(n: number): string {
  if (n >= 2 ** 30) return `${(n / 2 ** 30).toFixed(1)} GiB`;
  return `${(n / 2 ** 20).toFixed(1)} MiB`;
}

const columns: { head: string; zone: number; perClass: Map<number, number> }[] = [];
let slotSizes: number[] = [];
for (const preset of PRESETS) {
  for (const [label, size] of SIZES) {
    const a = createZonedAllocator(createAddressSpace({ size }), { preset });
    const perClass = new Map<number, number>();
    for (let c = 1; c < a.classes.length; c++) perClass.set(a.slotSize[c]!, a.slabCount[c]! * a.slotsOf[c]! * a.usableOf[c]!);
    slotSizes = [...perClass.keys()];
    columns.push({ head: `${preset}, ${label}`, zone: a.zoneBytes, perClass });
  }
}
console.log(`| slot size | ${columns.map((c) => c.head).join(' | ')} |`);
console.log(`|---:|${columns.map(() => '---:').join('|')}|`);
console.log(`| *zone of each class* | ${columns.map((c) => `*${bytes(c.zone)}*`).join(' | ')} |`);
for (const s of slotSizes) console.log(`| ${s} B | ${columns.map((c) => bytes(c.perClass.get(s) ?? 0)).join(' | ')} |`);
