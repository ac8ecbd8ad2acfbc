/*
 * A report names a trace by its path inside the repository, or by its base name when it lies
 * elsewhere — never by an absolute path of the machine that ran it (a report is shared, and the
 * path says nothing to its reader).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { fileURLToPath } from 'node:url';
import { htmlReport, markdownReport, sourceCaption } from '../../src/report/document.js';
import { fixtureComparison } from './comparison-fixture.js';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));

test('a file inside the repository by its path from the root, any other by its base name', () => {
  assert.is(sourceCaption({ name: 'sqlite3-index', label: `${REPO}bench/traces/sqlite3-index.trace.gz` }), 'bench/traces/sqlite3-index.trace.gz');
  assert.is(sourceCaption({ name: 'cc1', label: '/home/someone/traces/cc1.4242.trace' }), 'cc1.4242.trace');
  assert.is(sourceCaption({ name: 'churn', label: 'churn' }), 'churn');
});

test('no absolute path in the captions and text of the report', async () => {
  const c = await fixtureComparison({ allocators: ['bump-freestack'], sources: [{ kind: 'workload', name: 'lifo', seed: 1, ops: 2_000 }] });
  c.sources[0]!.label = '/home/someone/heaplab/traces/lifo.trace';
  const html = await htmlReport(c, []);
  assert.not.match(html, /\/home\/someone/);
  assert.match(html, /<figcaption>lifo\.trace: /);
  assert.not.match(markdownReport(c, []), /\/home\/someone/);
});

test.run();
