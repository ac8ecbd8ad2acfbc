/*
 * A lab record keeps the page frames of an allocator with physical memory (the kernel family):
 * frames in use at their peak and the buddyinfo after the footprint run, so a study's table of
 * frames comes from the record, not from a separate replay. Allocators without physical memory
 * record none.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { resolvePlan } from '../../src/lab/plan.js';
import { runPlan } from '../../src/lab/run.js';
import { cellFigure } from '../../src/lab/study.js';

test('kernel allocators record their peak frames and buddyinfo; user-space ones record none', async () => {
  const plan = resolvePlan({
    name: 'frames',
    allocators: ['kmalloc', 'buddy', 'dlmalloc-style'],
    sources: [{ source: { kind: 'workload', name: 'churn', seed: 3, ops: 4_000 } }],
    runs: 1,
    native: false,
    spaceMib: 1024,
  });
  const rec = await runPlan(plan, { ledger: null, progress: false });
  const s = rec.sources[0]!;
  const [kmalloc, buddy, dl] = s.allocators;
  assert.ok(kmalloc!.physical, 'kmalloc has physical figures');
  assert.ok(buddy!.physical, 'buddy has physical figures');
  assert.is(dl!.physical ?? null, null, 'dlmalloc-style has none');
  const k = kmalloc!.physical!;
  assert.ok(k.peakFramesInUse > 0 && k.peakFramesInUse <= k.totalFrames);
  assert.is(k.buddyinfo.length, k.unusableIndex.length);
  // Every request of buddy takes at least a frame, so at its peak it holds more frames than kmalloc.
  assert.ok(buddy!.physical!.peakFramesInUse > k.peakFramesInUse, `${buddy!.physical!.peakFramesInUse} > ${k.peakFramesInUse}`);
  assert.is(cellFigure(rec, s, 'kmalloc', 'framesPeak'), k.peakFramesInUse);
  assert.ok(Number.isNaN(cellFigure(rec, s, 'dlmalloc-style', 'framesPeak')));
});

test.run();
