/*
 * `heaplab study [NAME] [--check] [--render] [--list] [--workers N]`: the studies of studies/
 * (bench/src/lab/study.ts). With a name it runs that study's plan and probes, appends the record
 * to studies/records.jsonl and re-renders the study's section of studies/README.md; `--render`
 * re-renders the section from the record it names without running anything; `--check` runs
 * nothing and lists the sections that are not what their study file and record give (exit 1 if
 * any), for one study or, without a name, for all.
 */

import type { Command } from 'commander';
import { findRecord } from '../../lab/ledger.js';
import { STUDIES_LEDGER, STUDIES_README, checkStudies, evaluate, findStudy, readStudy, renderStudySection, runStudy, sectionRecordId, studyFiles, verdictOf } from '../../lab/study.js';
import { UsageError } from '../../allocators.js';
import { readFileSync, existsSync } from 'node:fs';
import { parseCount } from '../options.js';

export function registerStudy(program: Command): void {
  program
    .command('study')
    .description('run a study of studies/ (a claim, its plan, a verdict by a stated rule) and render its section of studies/README.md from the record')
    .argument('[name]', 'the study (a file studies/NAME.json)')
    .option('--check', 'run nothing: check that the section (or every section) is what its study and record give; exit 1 if not')
    .option('--render', 'run nothing: re-render the section from the record it names')
    .option('--list', 'the studies, with the verdict of each section\'s record')
    .option('--workers <n>', 'footprint runs made at once', '1')
    .action(async (name: string | undefined, opts: { check?: boolean; render?: boolean; list?: boolean; workers: string }) => {
      const text = existsSync(STUDIES_README) ? readFileSync(STUDIES_README, 'utf8') : '';
      if (opts.list || (name === undefined && !opts.check)) {
        for (const s of studyFiles().map(readStudy).sort((x, y) => x.order - y.order)) {
          const id = sectionRecordId(text, s.name);
          const v = id ? verdictOf(s, evaluate(s, findRecord(STUDIES_LEDGER, id))) : null;
          console.log(`${s.name}: ${s.title} — ${v ? `${v.verdict} (${v.held}/${v.total}), record ${id}` : 'not run yet'}`);
        }
        return;
      }
      if (opts.check) {
        const bad = checkStudies().filter((b) => name === undefined || b.startsWith(`${name}:`));
        for (const b of bad) console.log(b);
        if (bad.length > 0) process.exitCode = 1;
        else console.log(name ? `the section of ${name} is what its record gives` : 'every study section is what its record gives');
        return;
      }
      const study = findStudy(name!);
      if (opts.render) {
        const id = sectionRecordId(text, study.name);
        if (id === null) throw new UsageError(`${STUDIES_README} has no section of ${study.name} naming a record: run heaplab study ${study.name}`);
        renderStudySection(study, findRecord(STUDIES_LEDGER, id));
        console.log(`rendered the section of ${study.name} from record ${id}`);
        return;
      }
      const record = await runStudy(study, { workers: parseCount(opts.workers, '--workers'), log: (s) => void process.stderr.write(`${s}\n`) });
      const v = verdictOf(study, evaluate(study, record));
      console.log(`${study.title}: ${v.verdict} (${v.held} of ${v.total} comparisons hold); record ${record.id} appended to ${STUDIES_LEDGER}; section rendered in ${STUDIES_README}`);
    });
}
