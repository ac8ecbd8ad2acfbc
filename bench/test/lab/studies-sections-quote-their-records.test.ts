/*
 * Studies: every section of studies/README.md is what its study file and its record give (the
 * verdict included, computed by the study's rule); a section is rendered from a record, and a
 * figure typed over it, or a verdict typed over it, is found; the verdict follows the rule's
 * thresholds; the probes count what the misuse kit raises.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findRecord } from '../../src/lab/ledger.js';
import { probeFigure, runProbe } from '../../src/lab/probes.js';
import { checkStudies, evaluate, readStudy, runStudy, verdictOf } from '../../src/lab/study.js';

const dir = mkdtempSync(join(tmpdir(), 'heaplab-studies-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

test('every study section of studies/README.md is what its study file and record give', () => {
  assert.equal(checkStudies(), []);
});

const STUDY = {
  heaplabStudy: 1,
  name: 'tiny',
  order: 1,
  title: 'Tiny',
  after: 'a test',
  claim: 'best fit fragments no more than next fit',
  plan: { name: 'tiny', runs: 1, warmup: 0, native: false, spaceMib: 256, allocators: ['dlmalloc-style:policy=best-fit', 'dlmalloc-style:policy=next-fit'], sources: [{ workload: 'fifo', seed: 1, events: 3000 }, { workload: 'churn', seed: 2, events: 3000 }] },
  probes: [{ kind: 'reuse-after-free', allocators: ['dlmalloc-style:policy=best-fit'], size: 32, freed: 4, after: [0, 1] }],
  table: ['m4', 'usedPeakMib'],
  checks: [
    { what: 'best fit no worse', figure: 'm4', a: 'dlmalloc-style:policy=best-fit', op: '<=', b: 'dlmalloc-style:policy=next-fit' },
    { what: 'an impossible bound', figure: 'm4', a: 'dlmalloc-style:policy=best-fit', op: '<', value: 0.5 },
  ],
  verdict: { supports: 0.9, partly: 0.5 },
};

test('a section is rendered from its record, and a figure or a verdict typed over it is found', async () => {
  const file = join(dir, 'tiny.json');
  writeFileSync(file, JSON.stringify(STUDY, null, 2));
  const readme = join(dir, 'README.md');
  const ledger = join(dir, 'records.jsonl');
  writeFileSync(readme, '# Studies\n\n<!-- heaplab:study:tiny:start -->\n<!-- heaplab:study:tiny:end -->\n\nafter\n');
  assert.equal(checkStudies(readme, ledger, dir), [`tiny: no section in ${readme} (run heaplab study tiny)`]);
  const study = readStudy(file);
  const record = await runStudy(study, { ledger, readme });
  assert.is(findRecord(ledger, record.id).study, 'tiny');
  assert.equal(checkStudies(readme, ledger, dir), []);
  const text = readFileSync(readme, 'utf8');
  assert.ok(text.endsWith('<!-- heaplab:study:tiny:end -->\n\nafter\n'), 'text outside the section is kept');
  assert.match(text, new RegExp(`<!-- study record=${record.id} -->`));
  // Two sources × the first check hold or not; the impossible bound never holds: at most 2 of 4.
  const v = verdictOf(study, evaluate(study, record));
  assert.is(v.total, 4);
  assert.match(text, new RegExp(`\\*\\*Verdict: ${v.verdict}\\*\\* — ${v.held} of 4 comparisons hold\\.`));
  const m4 = record.sources[0]!.allocators[0]!.footprint!.m4.toFixed(3);
  writeFileSync(readme, text.replace(`| fifo | dlmalloc-style:policy=best-fit | ${m4} |`, '| fifo | dlmalloc-style:policy=best-fit | 1.000 |'));
  assert.equal(checkStudies(readme, ledger, dir), [`tiny: the section differs from what record ${record.id} gives`], 'a changed M4 is found');
  const typed = v.verdict === 'refutes' ? 'supports' : 'refutes';
  writeFileSync(readme, text.replace(`**Verdict: ${v.verdict}**`, `**Verdict: ${typed}**`));
  assert.equal(checkStudies(readme, ledger, dir), [`tiny: the section differs from what record ${record.id} gives`], 'a typed verdict is found');
  writeFileSync(readme, text);
  writeFileSync(file, JSON.stringify({ ...STUDY, plan: { ...STUDY.plan, allocators: [...STUDY.plan.allocators, 'bump-freestack'] } }));
  const [stale] = checkStudies(readme, ledger, dir);
  assert.match(stale!, /^tiny: record \S+ ran another plan than tiny\.json now holds; re-run heaplab study tiny$/, 'a study whose plan changed since its record is named');
});

test("the verdict is the rule's: the share of comparisons that hold against the study's thresholds", () => {
  const file = join(dir, 'rule.json');
  const at = (supports: number, partly: number) => {
    writeFileSync(file, JSON.stringify({ ...STUDY, name: 'rule', verdict: { supports, partly } }));
    return readStudy(file);
  };
  const results = (held: boolean[]) => held.map((h) => ({ check: STUDY.checks[0] as never, source: 's', a: 1, b: 1, holds: h }));
  assert.is(verdictOf(at(0.9, 0.5), results([true, true, true, true])).verdict, 'supports');
  assert.is(verdictOf(at(0.9, 0.5), results([true, true, true, false])).verdict, 'partly supports');
  assert.is(verdictOf(at(0.75, 0.5), results([true, true, true, false])).verdict, 'supports');
  assert.is(verdictOf(at(0.9, 0.5), results([true, false, false, false])).verdict, 'refutes');
  writeFileSync(file, JSON.stringify({ ...STUDY, name: 'rule', checks: [{ ...STUDY.checks[0], a: 'mmap-pages' }] }));
  assert.throws(() => readStudy(file), /not one of the study's allocators/);
  writeFileSync(file, JSON.stringify({ ...STUDY, name: 'other' }));
  assert.throws(() => readStudy(file), /must be the file's name/);
});

test('reuse-after-free: LIFO hands the freed block back at the next malloc, FIFO only after the blocks freed before it', async () => {
  const [lifo, fifo] = await runProbe({ kind: 'reuse-after-free', allocators: ['bump-freestack', 'bump-freestack:fifo=true'], size: 32, freed: 8, after: [0, 1, 7, 8, 9] });
  assert.equal(lifo!.kind === 'reuse-after-free' && lifo!.rows.map((r) => r.useAfterFree), ['use-after-free', 'not detected', 'not detected', 'not detected', 'not detected']);
  assert.equal(fifo!.kind === 'reuse-after-free' && fifo!.rows.map((r) => r.doubleFree), ['double-free', 'double-free', 'double-free', 'not detected', 'not detected']);
  assert.is(probeFigure([lifo!, fifo!], 'bump-freestack:fifo=true', 'uafCaught'), 3 / 5);
});

test('zone-capacity: a zone of a space four times larger holds about four times the live bytes', async () => {
  const [small, large] = await runProbe({ kind: 'zone-capacity', allocators: ['zoned-classes:spaceMib=128', 'zoned-classes:spaceMib=512'], sizes: [1024], capMib: 256 });
  const a = probeFigure([small!], 'zoned-classes:spaceMib=128', 'zoneLiveMib');
  const b = probeFigure([large!], 'zoned-classes:spaceMib=512', 'zoneLiveMib');
  assert.ok(small!.kind === 'zone-capacity' && small!.rows[0]!.exhausted, 'the zone was exhausted');
  assert.ok(b / a > 3.5 && b / a < 4.5, `${a} MiB against ${b} MiB`);
});

test.run();
