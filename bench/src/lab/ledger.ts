/*
 * The results ledger: one JSON line per run of a plan (a LabRecord, api.ts), appended, never
 * rewritten. The default ledger is bench/results/ledger.jsonl in a checkout (not committed: a
 * machine's own history), ./heaplab-results/ledger.jsonl for an installed package; the records
 * that documents quote are kept in bench/docs/records.jsonl, which is committed.
 *
 * Appending writes the old content and the new line to a temporary file beside the ledger and
 * renames it over the ledger, so an interrupted append leaves the previous ledger whole.
 * Reading checks every line and names the file and line of anything that is not a record.
 *
 * A record's id is its UTC time to the second and six hex digits of the sha256 of its content
 * (`20261206T204512Z-3fa9c1`): sortable, and unique in practice. `find` accepts any unique prefix
 * or suffix of an id, or `last`.
 */

import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { RESULTS_DIR } from '../report/run.js';
import { writeFileAtomicSync } from '@heaplab/core';
import { fileURLToPath } from 'node:url';
import { UsageError } from '../allocators.js';
import type { LabRecord } from './api.js';

/** ledger.jsonl in the default results folder (bench/results in a checkout, else ./heaplab-results). */
export const DEFAULT_LEDGER = join(RESULTS_DIR, 'ledger.jsonl');
/** The committed ledger of the records that READMEs quote. */
export const DOCS_LEDGER = fileURLToPath(new URL('../../docs/records.jsonl', import.meta.url));

/** A record's id from its date and content. */
export function recordId(date: string, content: string): string {
  const stamp = date.replace(/[-:]/g, '').replace(/\.\d+/, '').replace(/Z$/, 'Z');
  return `${stamp}-${createHash('sha256').update(content).digest('hex').slice(0, 6)}`;
}

/** Appends a record to a ledger (created with its directory when missing). */
export function appendRecord(file: string, record: LabRecord): void {
  mkdirSync(dirname(file), { recursive: true });
  const old = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const sep = old.length > 0 && !old.endsWith('\n') ? '\n' : '';
  writeFileAtomicSync(file, `${old}${sep}${JSON.stringify(record)}\n`);
}

/** Every record of a ledger, checked line by line. A missing ledger has none. */
export function readLedger(file: string): LabRecord[] {
  if (!existsSync(file)) return [];
  const out: LabRecord[] = [];
  const lines = readFileSync(file, 'utf8').split('\n');
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    let r: LabRecord;
    try {
      r = JSON.parse(line) as LabRecord;
    } catch (e) {
      throw new UsageError(`${file}:${i + 1}: expected one JSON record per line (${(e as Error).message})`);
    }
    if (r?.heaplabRecord !== 1 || typeof r.id !== 'string' || !Array.isArray(r.sources) || typeof r.provenance !== 'object') {
      throw new UsageError(`${file}:${i + 1}: expected a heaplab record ("heaplabRecord": 1 with id, plan, provenance, sources)`);
    }
    out.push(r);
  });
  return out;
}

/** The record an id names: `last`, or a unique prefix or suffix of its id. */
export function findRecord(file: string, id: string): LabRecord {
  const all = readLedger(file);
  if (all.length === 0) throw new UsageError(`${file}: no records (run a plan first: heaplab bench, heaplab replay, heaplab lab run)`);
  if (id === 'last') return all[all.length - 1]!;
  const hits = all.filter((r) => r.id === id || r.id.startsWith(id) || r.id.endsWith(id));
  if (hits.length === 1) return hits[0]!;
  if (hits.length === 0) throw new UsageError(`${file}: no record "${id}"; the last ones: ${all.slice(-5).map((r) => r.id).join(', ')}`);
  throw new UsageError(`${file}: "${id}" names ${hits.length} records (${hits.map((r) => r.id).join(', ')}): give more of the id`);
}

/**
 * The record an id names in the first of several ledgers that holds it (`last`: the last record
 * of the first ledger that has any). `heaplab lab show ID` looks in the default ledger, then in
 * the documents' ledger, so an id quoted in a README is found from a fresh checkout.
 */
export function findRecordIn(files: readonly string[], id: string): LabRecord {
  let first: unknown = null;
  for (const f of files) {
    try {
      return findRecord(f, id);
    } catch (e) {
      if (!(e instanceof UsageError) || /names \d+ records/.test(e.message)) throw e;
      first ??= e;
    }
  }
  throw first ?? new UsageError(`no ledger to look in for "${id}"`);
}
