/*
 * `heaplab lab merge`: the records of a plan's shards (shard.ts) joined into the record the whole
 * plan would give. Checks, each a usage error naming the records: every input is a shard record of
 * the same plan (same plan hash) and the same shard count; every shard from 1 to n is there once;
 * each source has the same sha256 and event count in every shard that ran it.
 *
 * The merged record: the plan; per source (in plan order) the source's figures from any shard
 * that ran it, each allocator's cell from the shard that owns it, and the native runs from the
 * shard that owns the native cell; `shards` keeps each shard's id and provenance; its own
 * provenance is the first shard's, with `seconds` and the phases' times the sums over shards, the loads the highest,
 * and `dirty` true when any shard's tree was. Its id is made as a run's is, from its content.
 */

import { UsageError } from '../allocators.js';
import type { AllocatorRecord, LabRecord, NativeRecord, SourceRecord } from './api.js';
import { recordId } from './ledger.js';
import { FLOOR_SPEC } from './run.js';
import { planHash, shardOwners } from './shard.js';
import { sourceName } from '../report/sources.js';

/** Joins shard records into one; see the top of this file. */
export function mergeShards(records: readonly LabRecord[]): LabRecord {
  if (records.length === 0) throw new UsageError('lab merge: expected at least one shard record');
  for (const r of records) if (!r.shard) throw new UsageError(`lab merge: record ${r.id} is not a shard's (it was run without --shard)`);
  const count = records[0]!.shard!.count;
  const hash = records[0]!.planHash ?? planHash(records[0]!.plan);
  for (const r of records) {
    if (r.shard!.count !== count) throw new UsageError(`lab merge: record ${r.id} is shard ${r.shard!.index}/${r.shard!.count}, the first is of ${count}`);
    if ((r.planHash ?? planHash(r.plan)) !== hash) throw new UsageError(`lab merge: record ${r.id} ran another plan (plan hash ${(r.planHash ?? '').slice(0, 12)} against ${hash.slice(0, 12)})`);
  }
  const byIndex = new Map<number, LabRecord>();
  for (const r of records) {
    if (byIndex.has(r.shard!.index)) throw new UsageError(`lab merge: shard ${r.shard!.index}/${count} is given twice (${byIndex.get(r.shard!.index)!.id}, ${r.id})`);
    byIndex.set(r.shard!.index, r);
  }
  const missing = Array.from({ length: count }, (_, i) => i + 1).filter((i) => !byIndex.has(i));
  if (missing.length > 0) throw new UsageError(`lab merge: shard${missing.length > 1 ? 's' : ''} ${missing.map((i) => `${i}/${count}`).join(', ')} missing`);
  const plan = records[0]!.plan;
  const specs = plan.floor ? [...plan.allocators, FLOOR_SPEC] : plan.allocators;
  const owner = shardOwners(plan, specs, count);
  const sources: SourceRecord[] = [];
  for (const [si, ps] of plan.sources.entries()) {
    const name = sourceName(ps.source);
    const seen = records.map((r) => r.sources.find((s) => s.name === name)).filter((s): s is SourceRecord => s !== undefined);
    if (seen.length === 0) continue;
    for (const s of seen) {
      if (s.sha256 !== seen[0]!.sha256 || s.events !== seen[0]!.events) throw new UsageError(`lab merge: source ${name} differs between shards (sha256 ${seen[0]!.sha256.slice(0, 12)} against ${s.sha256.slice(0, 12)})`);
    }
    const cellOf = (column: number): SourceRecord | undefined => byIndex.get(owner(si, column))!.sources.find((s) => s.name === name);
    const allocators: AllocatorRecord[] = specs.map((spec, i) => {
      const from = cellOf(i);
      const a = from?.allocators.find((x) => x.spec === spec);
      if (!a) throw new UsageError(`lab merge: shard ${owner(si, i)}/${count} has no cell for ${spec} on ${name}`);
      return a;
    });
    const nativeFrom = cellOf(specs.length);
    const native: NativeRecord[] = nativeFrom?.native ?? [];
    const { allocators: _a, native: _n, nativeSkipped: _k, ...common } = seen[0]!;
    sources.push({ ...common, allocators, native, nativeSkipped: nativeFrom?.nativeSkipped ?? [] });
  }
  const ordered = [...byIndex.entries()].sort((a, b) => a[0] - b[0]).map(([, r]) => r);
  const first = ordered[0]!.provenance;
  const provenance = {
    ...first,
    dirty: ordered.some((r) => r.provenance.dirty === true) ? true : first.dirty,
    loadBefore: first.loadBefore.map((_, k) => Math.max(...ordered.map((r) => r.provenance.loadBefore[k] ?? 0))),
    loadAfter: first.loadAfter.map((_, k) => Math.max(...ordered.map((r) => r.provenance.loadAfter[k] ?? 0))),
    seconds: ordered.reduce((t, r) => t + r.provenance.seconds, 0),
    phases: {
      footprintSeconds: ordered.reduce((t, r) => t + (r.provenance.phases?.footprintSeconds ?? 0), 0),
      timedSeconds: ordered.reduce((t, r) => t + (r.provenance.phases?.timedSeconds ?? 0), 0),
      workers: Math.max(...ordered.map((r) => r.provenance.phases?.workers ?? 1)),
    },
  };
  const shards = ordered.map((r) => ({ index: r.shard!.index, count, id: r.id, provenance: r.provenance }));
  const content = JSON.stringify({ plan, shards: shards.map((s) => s.id), sources });
  return { heaplabRecord: 1, id: recordId(first.date, content), plan, planHash: hash, shards, provenance, sources };
}
