/*
 * The built-in workloads by name. A new workload is one file exporting a `Workload`, added to
 * the list below; `heaplab workload list` and `--workload NAME` see it at once.
 */

import type { TraceSource } from '@heaplab/core';
import { UsageError } from '../allocators.js';
import type { Workload, WorkloadOptions } from './api.js';
import { churn } from './churn.js';
import { histogram } from './histogram.js';
import { rampDrain } from './ramp-drain.js';
import { lifo } from './lifo.js';
import { fifo } from './fifo.js';
import { adversary } from './adversary.js';
import { larson } from './larson.js';
import { producerConsumer } from './producer-consumer.js';
import { phaseChange } from './phase-change.js';

export type { Workload, WorkloadOptions } from './api.js';
export { DEFAULT_SEED } from './api.js';
export { Rng } from './rng.js';
export { churn, CHURN } from './churn.js';
export { histogram, HISTOGRAM, histogramSize } from './histogram.js';
export { rampDrain, RAMP_DRAIN } from './ramp-drain.js';
export { lifo, LIFO } from './lifo.js';
export { fifo, FIFO } from './fifo.js';
export { adversary, ADVERSARY } from './adversary.js';
export { larson, LARSON } from './larson.js';
export { producerConsumer, PRODUCER_CONSUMER } from './producer-consumer.js';
export { phaseChange, PHASE_CHANGE } from './phase-change.js';

const WORKLOADS = new Map<string, Workload>([churn, histogram, rampDrain, lifo, fifo, adversary, larson, producerConsumer, phaseChange].map((w) => [w.name, w]));

/** Names of the built-in workloads, in a stable order. */
export function workloadNames(): string[] {
  return [...WORKLOADS.keys()];
}

/** Adds a workload (for workloads defined outside this folder, e.g. by a configuration). */
export function defineWorkload(w: Workload): void {
  if (!/^[a-z][a-z0-9-]*$/.test(w.name)) throw new TypeError(`workload name must be lower-case with dashes, got ${JSON.stringify(w.name)}`);
  WORKLOADS.set(w.name, w);
}

/** The workload of a name; a usage error listing the names that exist. */
export function workload(name: string): Workload {
  const w = WORKLOADS.get(name);
  if (!w) throw new UsageError(`unknown workload "${name}"; workloads: ${workloadNames().join(', ')}`);
  return w;
}

/** A replay source over a workload: `churn(seed=1, ops=2000000)`. */
export function workloadSource(w: Workload, options: WorkloadOptions): TraceSource {
  const ops = options.ops ?? w.defaultOps;
  return { name: `${w.name}(seed=${options.seed}, ops=${ops})`, open: () => w.events(options) };
}
