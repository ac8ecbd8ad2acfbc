/*
 * `heaplab lab`: the experiment protocol and its ledger.
 *   lab run PLAN.json [--ledger FILE] [--shard i/n] [--workers N]
 *                                        runs a plan file (bench/plans/bench.json is one), or the i-th
 *                                        of n disjoint parts of it, and prints its comparison tables;
 *                                        the record goes to the ledger
 *   lab merge A.jsonl B.jsonl… --out X   joins the records of a plan's shards into the whole plan's
 *   lab pareto ID [-o DIR]               a record's Pareto fronts (time against M4) as tables and SVG
 *   lab list [--ledger FILE]             one line per record: id, plan, sources, allocators, commit
 *   lab show ID [--ledger FILE] [--json] a record's provenance and its tables (or the record as JSON)
 *   lab diff A B [--ledger FILE]         B against A: faster, slower or not distinguishable, per
 *                                        source and allocator, and which memory figures changed
 *   lab docs [--record ID] [--check]     re-renders the figures blocks of the READMEs from the records
 *                                        they name in bench/docs/records.jsonl (with --record, a record
 *                                        of the ledger is copied there and every block it can fill
 *                                        points at it); --check only lists what differs (exit 1)
 * IDs: a record's id, a unique prefix or suffix of it, or `last`. Records may come from two
 * ledgers: `lab diff A B --ledger-b FILE`.
 */

import type { Command } from 'commander';
import { join, resolve } from 'node:path';
import { UsageError } from '../../allocators.js';
import { mergeShards } from '../../lab/merge.js';
import { frontTable } from '../../lab/pareto.js';
import { parseShard } from '../../lab/shard.js';
import { writeSweepReport } from '../../lab/sweep.js';
import { RESULTS_DIR } from '../../report/run.js';
import { parseCount } from '../options.js';
import { comparisonGrids, comparisonNotes, terminalTable } from '../../report/tables.js';
import { toComparison } from '../../report/compare.js';
import type { LabRecord } from '../../lab/api.js';
import { diffRecords, diffText } from '../../lab/diff.js';
import { DEFAULT_LEDGER, findRecord, readLedger } from '../../lab/ledger.js';
import { readPlanFile } from '../../lab/plan.js';
import { runPlan } from '../../lab/run.js';
import { specFactory } from '../../lab/factory.js';
import { checkAllDocuments, documentFiles, renderDocuments } from '../../lab/figures.js';
import { DOCS_LEDGER, appendRecord, findRecordIn } from '../../lab/ledger.js';
import { renderComparison } from '../../lab/figures.js';
import { ROOT_README } from '../../matrix/readme-sections.js';
import { existsSync, readFileSync } from 'node:fs';
import { writeFileAtomicSync } from '@heaplab/core';

/** A record from the ledger given, or else from the default ledger and then the documents' one. */
function lookup(ledger: string | undefined, id: string): LabRecord {
  return ledger !== undefined ? findRecord(resolve(ledger), id) : findRecordIn([DEFAULT_LEDGER, DOCS_LEDGER], id);
}

/** A record's provenance as lines. */
export function provenanceLines(r: LabRecord): string[] {
  const p = r.provenance;
  return [
    `record ${r.id}: plan "${r.plan.name}", ${r.plan.runs} run${r.plan.runs > 1 ? 's' : ''} each, ${r.plan.touch} touch, ${p.seconds.toFixed(0)} s`,
    `commit ${p.commit ?? 'unknown'}${p.dirty ? ' (with uncommitted changes)' : ''}; ${p.heaplab}; ${p.date}`,
    `${p.node} (V8 ${p.v8}) on ${p.platform}; ${p.cpu.count} × ${p.cpu.model}; ${(p.memoryBytes / 2 ** 30).toFixed(1)} GiB; load ${p.loadBefore.join(' ')} before, ${p.loadAfter.join(' ')} after`,
    `C library ${p.libc ?? 'unknown'}; native: ${p.nativeLibraries.map((n) => `${n.name}${n.version ? ` (${n.version})` : ''}`).join(', ') || 'none'}`,
    ...r.sources.map((s) => `source ${s.name}: ${s.events} events, sha256 ${s.sha256.slice(0, 16)}…`),
    ...r.sources[0]!.allocators.map((a) => `allocator ${a.spec}: ${a.resolved ? `${JSON.stringify(a.resolved.parameters)}${a.resolved.wrappers.length ? ` in ${a.resolved.wrappers.map((w) => w.name).join(' in ')}` : ''}` : a.error ?? 'not run'}`),
  ];
}

function printTables(r: LabRecord): void {
  const c = toComparison(r);
  for (const g of comparisonGrids(c)) console.log(`${terminalTable(g)}\n`);
  for (const n of comparisonNotes(c)) console.log(n);
}

export function registerLab(program: Command): void {
  const lab = program.command('lab').description('the experiment protocol: run a plan, and read, show and compare the records of the results ledger');
  const ledgerOption = ['--ledger <file>', 'the ledger (default: bench/results/ledger.jsonl, then bench/docs/records.jsonl for an id the first lacks)'] as const;
  lab
    .command('run')
    .description('run a plan file and append its record to the ledger')
    .argument('<plan>', 'a plan file (JSON; bench/plans/bench.json is the one `npm run bench` runs)')
    .option(...ledgerOption)
    .option('--shard <i/n>', 'run only the i-th of n disjoint parts of the plan: its (source, allocator) cells numbered source by source, cell k going to part (k mod n) + 1')
    .option('--workers <n>', 'footprint runs made at once, each in its own isolate (memory figures are deterministic; timed runs stay one at a time)', '1')
    .action(async (file: string, opts: { ledger?: string; shard?: string; workers: string }) => {
      const ledger = resolve(opts.ledger ?? DEFAULT_LEDGER);
      const plan = readPlanFile(resolve(file));
      const shard = opts.shard !== undefined ? parseShard(opts.shard) : null;
      const workers = parseCount(opts.workers, '--workers');
      // Unknown allocators, wrappers, modules and options are usage errors before anything runs.
      await Promise.all(plan.specs.map((s) => specFactory(s)));
      const r = await runPlan(plan, { ledger, shard, workers, log: (s) => void process.stderr.write(`${s}\n`) });
      if (shard === null) printTables(r);
      else console.log(`shard ${shard.index}/${shard.count}: ${r.sources.reduce((n, s) => n + s.allocators.filter((a) => !a.skipped || !/^run by shard/.test(a.error ?? '')).length, 0)} cells run`);
      console.log(`record ${r.id} appended to ${ledger}`);
    });
  lab
    .command('merge')
    .description("join the records of a plan's shards (lab run --shard i/n, sweep --shard i/n) into the record of the whole plan")
    .argument('<ledgers...>', "ledgers holding the shards' records (the last record of each, or every shard record with --all)")
    .requiredOption('--out <file>', 'append the merged record to this ledger')
    .option('--all', 'take every shard record of the ledgers, not only the last of each')
    .action((files: string[], opts: { out: string; all?: boolean }) => {
      const records = files.flatMap((f) => {
        if (!existsSync(resolve(f))) throw new UsageError(`${f}: no such ledger file`);
        const all = readLedger(resolve(f)).filter((r) => r.shard !== undefined);
        if (all.length === 0) throw new UsageError(`${f}: no shard records (run lab run or sweep with --shard i/n)`);
        return opts.all ? all : [all[all.length - 1]!];
      });
      const merged = mergeShards(records);
      const out = resolve(opts.out);
      appendRecord(out, merged);
      console.log(`merged ${records.length} shards (${records.map((r) => `${r.shard!.index}/${r.shard!.count} ${r.id}`).join(', ')}) into record ${merged.id}, appended to ${out}`);
    });
  lab
    .command('pareto')
    .description("a record's Pareto fronts, time per event against M4: tables on screen, tables and SVG pictures in a folder")
    .argument('<id>', 'a record id, a unique prefix or suffix of one, or `last`')
    .option(...ledgerOption)
    .option('-o, --out <dir>', 'where the tables and pictures go (default: bench/results/sweep/)')
    .action(async (id: string, opts: { ledger?: string; out?: string }) => {
      const r = lookup(opts.ledger, id);
      console.log(frontTable(r));
      const dir = resolve(opts.out ?? join(RESULTS_DIR, 'sweep'));
      const files = await writeSweepReport(r, dir);
      console.log(`pictures and tables: ${files.map((x) => x.slice(dir.length + 1)).join(', ')} in ${dir}`);
    });
  lab
    .command('list')
    .description('one line per record of the ledger')
    .option(...ledgerOption)
    .action((opts: { ledger?: string }) => {
      const ledger = resolve(opts.ledger ?? DEFAULT_LEDGER);
      const all = readLedger(ledger);
      if (all.length === 0) console.log(`${ledger}: no records`);
      for (const r of all) {
        const names = r.sources[0]?.allocators.map((a) => a.spec) ?? [];
        console.log(`${r.id}  ${r.plan.name}  ${r.sources.length} source${r.sources.length === 1 ? '' : 's'}  ${names.join(',')}  ${r.plan.runs} runs  ${r.provenance.commit?.slice(0, 10) ?? '-'}${r.provenance.dirty ? '+' : ''}${r.shard ? `  shard ${r.shard.index}/${r.shard.count}` : ''}${r.shards ? `  merged from ${r.shards.length} shards` : ''}`);
      }
    });
  lab
    .command('show')
    .description('a record: its provenance and tables')
    .argument('<id>', 'a record id, a unique prefix or suffix of one, or `last`')
    .option(...ledgerOption)
    .option('--json', 'print the record itself')
    .action((id: string, opts: { ledger?: string; json?: boolean }) => {
      const r = lookup(opts.ledger, id);
      if (opts.json) {
        console.log(JSON.stringify(r, null, 2));
        return;
      }
      for (const l of provenanceLines(r)) console.log(l);
      console.log('');
      printTables(r);
    });
  lab
    .command('docs')
    .description("render the READMEs' figures blocks from their records (bench/docs/records.jsonl)")
    .option(...ledgerOption)
    .option('--record <id>', 'copy this record from the ledger into bench/docs/records.jsonl and point every block it can fill at it')
    .option('--check', 'change nothing: list the blocks whose text is not what their record gives, and exit 1 if any')
    .action((opts: { ledger?: string; record?: string; check?: boolean }) => {
      if (opts.check) {
        const bad = checkAllDocuments(DOCS_LEDGER);
        for (const b of bad) console.log(`differs from its record: ${b}`);
        if (bad.length > 0) process.exitCode = 1;
        else console.log('every figure in the documents is what its record gives');
        return;
      }
      let record: LabRecord | undefined;
      if (opts.record !== undefined) {
        record = findRecord(resolve(opts.ledger ?? DEFAULT_LEDGER), opts.record);
        if (!readLedger(DOCS_LEDGER).some((r) => r.id === record!.id)) appendRecord(DOCS_LEDGER, record);
      }
      const changed = renderDocuments(documentFiles(), DOCS_LEDGER, record);
      // The root README's comparison, again from the record it names (its pictures stay).
      const text = readFileSync(ROOT_README, 'utf8');
      const again = renderComparison(text, DOCS_LEDGER);
      if (again !== null && again !== text) {
        writeFileAtomicSync(ROOT_README, again);
        changed.push(ROOT_README);
      }
      console.log(changed.length === 0 ? 'no document changed' : `rendered: ${changed.join(', ')}`);
    });
  lab
    .command('diff')
    .description('compare two records: faster, slower or not distinguishable at the measured noise, and changed memory figures')
    .argument('<a>', 'the first record (the baseline)')
    .argument('<b>', 'the second record')
    .option(...ledgerOption)
    .option('--ledger-b <file>', 'read B from this ledger (default: where A is looked for)')
    .action((a: string, b: string, opts: { ledger?: string; ledgerB?: string }) => {
      const ra = lookup(opts.ledger, a);
      const rb = opts.ledgerB ? findRecord(resolve(opts.ledgerB), b) : lookup(opts.ledger, b);
      for (const l of diffText(ra, rb, diffRecords(ra, rb))) console.log(l);
    });
}
