/*
 * phase-change: every phase allocates from one size band only, reaches the phase's live bytes,
 * and frees everything before the next band starts; the bands come in their order and repeat.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { eventsOf } from '@heaplab/core';
import { PHASE_CHANGE, workload } from '../../src/workloads/index.js';

test('each phase uses one band, reaches the phase bytes and is freed whole before the next', () => {
  const events = eventsOf(workload('phase-change').events({ seed: 3, ops: 120_000 }));
  const live = new Map<number, number>();
  let phase = 0;
  let bytes = 0;
  let peak = 0;
  let phases = 0;
  for (const e of events) {
    if (e.kind === 'a') {
      if (live.size === 0 && bytes > 0) {
        assert.ok(peak >= PHASE_CHANGE.phaseBytes, `phase ${phase} reached ${peak} live bytes`);
        phase++;
        phases++;
        bytes = 0;
        peak = 0;
      }
      const [lo, hi] = PHASE_CHANGE.bands[phase % PHASE_CHANGE.bands.length]!;
      assert.ok(e.size >= lo && e.size <= hi, `phase ${phase}: size ${e.size} outside ${lo}–${hi}`);
      live.set(e.id, e.size);
      bytes += e.size;
      peak = Math.max(peak, bytes);
    } else {
      assert.ok(live.delete(e.id), `free of ${e.id}, not live`);
    }
  }
  assert.ok(phases >= PHASE_CHANGE.bands.length, `${phases} phases: every band was used`);
});

test.run();
