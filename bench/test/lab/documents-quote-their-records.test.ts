/*
 * Figures in documents come from ledger records: every heaplab:figures block of the READMEs and
 * the root README's comparison render, from the records they name in bench/docs/records.jsonl,
 * to exactly the text the documents hold.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkAllDocuments, checkDocuments, renderDocuments } from '../../src/lab/figures.js';
import { DOCS_LEDGER, appendRecord } from '../../src/lab/ledger.js';
import { resolvePlan } from '../../src/lab/plan.js';
import { runPlan } from '../../src/lab/run.js';

const dir = mkdtempSync(join(tmpdir(), 'heaplab-docs-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

test("every figure in the READMEs is what the record it names gives", () => {
  assert.equal(checkAllDocuments(DOCS_LEDGER), []);
});

test('a block is rendered from its record, and a figure typed over it is found', async () => {
  const ledger = join(dir, 'records.jsonl');
  const plan = resolvePlan({ name: 'doc', allocators: ['bump-freestack', 'dlmalloc-style'], sources: [{ source: { kind: 'workload', name: 'fifo', seed: 1, ops: 3_000 } }], runs: 2, native: false, spaceMib: 256 });
  const r = await runPlan(plan, { ledger, progress: false });
  const doc = join(dir, 'README.md');
  writeFileSync(doc, `# x\n\n<!-- heaplab:figures:demo:start -->\n<!-- figures record=${r.id} allocators=dlmalloc-style native=glibc -->\nold text\n<!-- heaplab:figures:demo:end -->\n\nafter\n`);
  assert.equal(checkDocuments([doc], ledger), [`${doc} (figures demo)`], 'the hand-written text differs');
  assert.equal(renderDocuments([doc], ledger), [doc]);
  const text = readFileSync(doc, 'utf8');
  assert.match(text, /\| fifo \| dlmalloc-style \| [\d.,]+ \([\d.,]+–[\d.,]+\)\*? \| — \|/);
  assert.match(text, new RegExp(`Record \`${r.id}\``));
  assert.ok(text.endsWith('<!-- heaplab:figures:demo:end -->\n\nafter\n'), 'text outside the block is kept');
  assert.equal(checkDocuments([doc], ledger), []);
  const m4 = r.sources[0]!.allocators[1]!.footprint!.m4.toFixed(3);
  writeFileSync(doc, text.replace(`| ${m4} |`, '| 1.000 |'));
  assert.equal(checkDocuments([doc], ledger), [`${doc} (figures demo)`], 'a changed M4 is found');
  appendRecord(join(dir, 'other.jsonl'), r);
});

test.run();
