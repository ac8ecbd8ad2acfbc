/*
 * `heaplab explore`: arguments are checked before anything is built (an unknown allocator or a
 * bad option, more than four allocators, a trace and a workload at once, a missing trace: exit 2
 * with a message), and `--out` writes a page that needs no server: the bundle, the page, and
 * config.js with the source (a trace embedded whole), the allocators and their parameters.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli } from '../helpers/run-cli.js';

const TRACE = fileURLToPath(new URL('../../traces/sqlite3-index.trace.gz', import.meta.url));

test('bad arguments are usage errors naming what is wrong', async () => {
  const cases: [string[], RegExp][] = [
    [['explore', '-w', 'churn', '-a', 'no-such-allocator'], /unknown allocator "no-such-allocator"/],
    [['explore', '-w', 'churn', '-a', 'dlmalloc-style:policy=sideways'], /policy/],
    [['explore', '-w', 'churn', '-a', 'dlmalloc-style,zoned-classes,bump-freestack,mmap-pages,dlmalloc-style:policy=first-fit'], /at most four/],
    [['explore', TRACE, '-w', 'churn'], /not both/],
    [['explore', 'no-such.trace'], /no such trace file/],
    [['explore', '-w', 'no-such-workload'], /unknown workload/],
    [['explore', '-w', 'churn', '-a', 'thing-malloc'], /the page runs mmap-pages, bump-freestack, zoned-classes, dlmalloc-style/],
  ];
  for (const [args, message] of cases) {
    const r = await runCli(args);
    assert.is(r.code, 2, args.join(' '));
    assert.match(r.err, message);
  }
});

test('--out writes a page that opens from disk, with the trace in config.js', async () => {
  const out = mkdtempSync(join(tmpdir(), 'heaplab-explore-out-'));
  try {
    const r = await runCli(['explore', TRACE, '-a', 'bump-freestack,mmap-pages:guardPage=true', '--out', out]);
    assert.is(r.code, 0, r.err);
    for (const f of ['index.html', 'style.css', 'app.js', 'config.js']) assert.ok(existsSync(join(out, f)), f);
    const text = readFileSync(join(out, 'config.js'), 'utf8');
    const config = JSON.parse(text.slice(text.indexOf('{'), text.lastIndexOf('}') + 1)) as { source: { kind: string; name: string; base64: string }; allocators: string[] };
    assert.is(config.source.kind, 'embedded');
    assert.equal(Buffer.from(config.source.base64, 'base64'), readFileSync(TRACE));
    assert.equal(config.allocators, ['bump-freestack', 'mmap-pages:guardPage=true']);
    assert.match(readFileSync(join(out, 'index.html'), 'utf8'), '<script src="config.js"></script>');
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

test.run();
