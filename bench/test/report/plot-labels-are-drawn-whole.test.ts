/*
 * Every legend and axis label of the report's plots is drawn whole: vega cuts a label longer than
 * its labelLimit (160–180 px) with "…", which made "dlmalloc-style (first 30000 events)" and the
 * heap maps' row labels unreadable.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseHTML } from 'linkedom';
import { createAddressSpace, MAP_FIXED, PROT_READ, PROT_WRITE, createIdentity } from '@heaplab/core';
import type { Comparison, SourceResult } from '../../src/report/compare.js';
import { heapMap } from '../../src/report/heap-map.js';
import { footprintSpec, fragmentationSpec, heapMapSpec, renderSvg, timeSpec } from '../../src/report/plots.js';

const LONG = 'dlmalloc-style:policy=first-fit,tcache=0+checking';

function texts(svg: string): string[] {
  const { document } = parseHTML(`<div>${svg}</div>`);
  return [...document.querySelectorAll('text')].map((t) => t.textContent ?? '');
}

const source: SourceResult = {
  name: 'a-source-with-a-rather-long-name.trace',
  spec: { kind: 'workload', name: 'churn', seed: 1, ops: 10 },
  label: 'x',
  program: 'x',
  events: 30,
  requests: 10,
  under100: 1,
  peakLive: 100,
  sizes: [],
  allocators: [
    { name: LONG, label: LONG, window: 30_000, result: { nsPerEvent: 120, m4: 1.3 } as never, series: { event: [0, 10, 20], used: [0, 4096, 8192], live: [0, 100, 50] }, error: null },
    { name: 'bump-freestack', label: 'bump-freestack', window: null, result: { nsPerEvent: 60, m4: 1.1 } as never, series: { event: [0, 10, 20], used: [0, 4096, 4096], live: [0, 100, 50] }, error: null },
  ],
  native: [],
  nativeSkipped: [],
};
const c = { heaplabComparison: 1, date: '', node: '', cpus: 1, repeat: 1, seconds: 0, sources: [source], shared: [] } as Comparison;

test('legends of the footprint, time and fragmentation plots show every series name whole', async () => {
  for (const [name, svg] of [['footprint', await renderSvg(footprintSpec(source))], ['time', await renderSvg(timeSpec(c))], ['fragmentation', await renderSvg(fragmentationSpec(c))]] as const) {
    const t = texts(svg);
    assert.ok(!t.some((x) => x.includes('…')), `${name}: cut labels ${JSON.stringify(t.filter((x) => x.includes('…')))}`);
    const whole = name === 'footprint' ? `${LONG} (first 30000 events)` : LONG;
    assert.ok(t.includes(whole), `${name}: a legend label "${whole}" in ${JSON.stringify(t)}`);
    if (name !== 'footprint') assert.ok(t.includes(source.name), `${name}: the source's name whole`);
  }
});

test('heap map row labels are drawn whole', async () => {
  const space = createAddressSpace({ size: 64 * 2 ** 20 });
  const me = createIdentity({ name: 'an-allocator-with-a-long-name-indeed', family: 'test', description: 'long' });
  space.mmap(16 * 2 ** 20, 200 * space.pageSize, PROT_READ | PROT_WRITE, MAP_FIXED, me);
  const m = heapMap(space, [], { allocator: 'x', source: 'y', event: 0 });
  const t = texts(await renderSvg(heapMapSpec(m)));
  assert.ok(!t.some((x) => x.includes('…')), JSON.stringify(t.filter((x) => x.includes('…'))));
  for (const r of m.rows) assert.ok(t.includes(r), `row label ${r}`);
  assert.match(m.rows[0]!, / an-allocator-with-a-long-name-indeed$/);
});

test.run();
