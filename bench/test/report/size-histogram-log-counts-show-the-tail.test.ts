/*
 * With log counts the size histogram shows the tail: a bucket of ten requests beside one of a
 * million is a bar under a pixel on the linear axis and a visible one on the symlog axis, the
 * order of the bars stays that of the counts, and an empty bucket stays empty.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseHTML } from 'linkedom';
import { renderSvg, sizeHistogramSpec } from '../../src/report/plots.js';
import { bars, sameOrder, type SvgNode } from './svg-marks.js';

const input = {
  name: 'tail',
  under100: 0.99,
  sizes: [
    { lo: 1, hi: 16, count: 1_000_000 },
    { lo: 17, hi: 32, count: 10 },
    { lo: 33, hi: 64, count: 0 },
    { lo: 65, hi: 128, count: 1 },
  ],
};

async function heights(logCounts: boolean): Promise<number[]> {
  const { document } = parseHTML(`<div>${await renderSvg(sizeHistogramSpec(input, { logCounts }))}</div>`);
  return bars(document.querySelector('svg') as unknown as SvgNode).map((b) => b.height);
}

test('on the log axis every non-empty bucket is a visible bar, in the order of the counts', async () => {
  const linear = await heights(false);
  const log = await heights(true);
  assert.ok(linear[1]! < 1, `linear: ten requests draw ${linear[1]} px`);
  assert.ok(log[1]! >= 10 && log[3]! >= 2, `log: ${JSON.stringify(log)}`);
  assert.is(log[2], 0);
  assert.ok(sameOrder(input.sizes.map((b) => b.count), log));
});

test.run();
