/*
 * Checks a trace the LD_PRELOAD recorder wrote, reading it with core's codec (so it must also be
 * a valid heaplab-trace v1 file): one pass with a Map of live ids (id → requested size).
 *
 *   - no id is allocated while it is live (for `r new old`, old is released first);
 *   - frees (f, and r's old id) of ids not live are counted as unknown: in a process's own file
 *     they can only be blocks allocated before the recorder loaded, or before a fork;
 *   - "magic" events, those on sizes in [50001, 59999] that bench/native/test/record-test.c
 *     alone makes, are counted as check-trace.sh counts them: a, c, m by their size; r when its
 *     size or its old block's size is magic; f when the freed block's size is magic.
 */

import { openTrace, EV_CALLOC, EV_FREE, EV_MALLOC, EV_MEMALIGN, EV_REALLOC } from '@heaplab/core';

export interface RecordedTraceCheck {
  program: string;
  events: number;
  /** Messages for ids allocated while live (at most 5 kept). */
  errors: string[];
  unknownFrees: number;
  failed: number;
  liveAtEnd: number;
  /** Counts of magic events by letter. */
  magic: { a: number; c: number; m: number; r: number; f: number };
}

const isMagic = (size: number): boolean => size >= 50001 && size <= 59999;

export async function checkRecordedTrace(file: string): Promise<RecordedTraceCheck> {
  const t = await openTrace(file);
  const live = new Map<number, number>();
  const magic = { a: 0, c: 0, m: 0, r: 0, f: 0 };
  const errors: string[] = [];
  let events = 0;
  let unknownFrees = 0;
  let failed = 0;
  const allocate = (id: number, size: number, line: number): void => {
    if (id === 0) {
      failed++;
      return;
    }
    if (live.has(id) && errors.length < 5) errors.push(`${file}:${line}: id ${id.toString(16)} allocated while live`);
    live.set(id, size);
  };
  for await (const c of t.chunks()) {
    events += c.count;
    for (let j = 0; j < c.count; j++) {
      const k = c.kind[j]!;
      const id = c.id[j]!;
      const size = c.size[j]!;
      const line = c.line[j]!;
      if (k === EV_MALLOC || k === EV_CALLOC || k === EV_MEMALIGN) {
        allocate(id, size, line);
        if (isMagic(size)) magic[k === EV_MALLOC ? 'a' : k === EV_CALLOC ? 'c' : 'm']++;
      } else if (k === EV_REALLOC) {
        const old = c.arg[j]!;
        if (id === 0 && size > 0) {
          failed++;
          if (isMagic(size)) magic.r++;
          continue;
        }
        let oldMagic = false;
        if (old !== 0) {
          const before = live.get(old);
          if (before === undefined) unknownFrees++;
          else {
            oldMagic = isMagic(before);
            live.delete(old);
          }
        }
        if (isMagic(size) || oldMagic) magic.r++;
        if (id !== 0) allocate(id, size, line);
      } else if (k === EV_FREE) {
        const before = live.get(id);
        if (before === undefined) unknownFrees++;
        else {
          if (isMagic(before)) magic.f++;
          live.delete(id);
        }
      }
    }
  }
  return { program: t.program, events, errors, unknownFrees, failed, liveAtEnd: live.size, magic };
}
