/*
 * The built-in workloads the explorer's page offers, imported one by one (the workloads index
 * pulls in the CLI's configuration loading, which needs Node): the same generators, so a
 * workload with a seed and an event count gives the page the events `heaplab who -w` replays.
 */

import type { Workload } from '../workloads/api.js';
import { churn } from '../workloads/churn.js';
import { histogram } from '../workloads/histogram.js';
import { rampDrain } from '../workloads/ramp-drain.js';
import { lifo } from '../workloads/lifo.js';
import { fifo } from '../workloads/fifo.js';
import { adversary } from '../workloads/adversary.js';
import { larson } from '../workloads/larson.js';
import { producerConsumer } from '../workloads/producer-consumer.js';

export const WORKLOADS: readonly Workload[] = [churn, histogram, rampDrain, lifo, fifo, adversary, larson, producerConsumer];

/** The workload of a name, or an error listing the names. */
export function browserWorkload(name: string): Workload {
  const w = WORKLOADS.find((x) => x.name === name);
  if (!w) throw new RangeError(`unknown workload "${name}"; workloads: ${WORKLOADS.map((x) => x.name).join(', ')}`);
  return w;
}
