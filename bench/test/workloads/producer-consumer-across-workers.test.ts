import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { eventsOf } from '@heaplab/core';
import { producerConsumer } from '../../src/workloads/index.js';
import { runSharedProducerConsumer } from '../../src/workloads/shared-run.js';

test('producer-consumer across two workers: every malloc in one, every free in the other, nothing lost or broken', async () => {
  const ops = 40_000;
  const r = await runSharedProducerConsumer({ seed: 3, ops, spaceMib: 256 });
  const ev = eventsOf(producerConsumer.events({ seed: 3, ops }));
  assert.is(r.producer.calls, ev.filter((e) => e.kind === 'a').length);
  assert.is(r.consumer.calls, ev.filter((e) => e.kind === 'f').length);
  assert.is(r.producer.failures, 0);
  assert.is(r.consumer.broken, 0, 'each message kept its bytes until the consumer freed it');
  assert.is(r.check, null, 'the shared heap passes check() after both sides detached');
  assert.ok(r.nsPerEvent > 0 && Number.isFinite(r.nsPerEvent));
});

test.run();
