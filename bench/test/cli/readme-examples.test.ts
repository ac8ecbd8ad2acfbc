/*
 * The root README's `heaplab` examples stay true. Every example is found where a reader finds it:
 * a line of a fenced code block, or an inline code span, that starts with `heaplab ` or
 * `npm run heaplab -- `. Each one that names no placeholder (FILE, EVENT, A,B, ARGS…) and is not
 * set aside below runs through the CLI in this process and must exit 0; where the README gives
 * its output (the span is followed by "answers `…`" or "prints `…`"), that line must be in what
 * it prints, instance ids (#N) aside. Workload examples with neither --ops nor a numeric --at run
 * on the workload's first 20,000 events, so the test stays quick; their flags and names are still
 * checked.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { runCli } from '../helpers/run-cli.js';

const README = new URL('../../../README.md', import.meta.url);

/** Examples not run, by their first words, and why. */
const SET_ASIDE: [prefix: string, why: string][] = [
  ['heaplab bench', 'the whole comparison: minutes, and it writes bench/results (with --readme, this README)'],
  ['heaplab fuzz --allocator my-alloc', "names the reader's own allocator"],
];

interface Example {
  text: string;
  line: number;
  output: string | null;
}

/** The examples of a Markdown text, in order. */
function readmeExamples(markdown: string): Example[] {
  const out: Example[] = [];
  const lines = markdown.split('\n');
  let fence = false;
  let prose = '';
  const starts: { offset: number; line: number }[] = [];
  lines.forEach((l, k) => {
    if (/^\s*```/.test(l)) {
      fence = !fence;
      return;
    }
    if (fence) {
      const m = /^\s*(?:\$\s*)?((?:npm run heaplab -- |heaplab ).*?)\s*(?:#.*)?$/.exec(l);
      if (m) out.push({ text: m[1]!, line: k + 1, output: null });
      return;
    }
    starts.push({ offset: prose.length, line: k + 1 });
    prose += l + '\n';
  });
  const lineAt = (offset: number): number => starts.filter((x) => x.offset <= offset).at(-1)?.line ?? 0;
  for (const m of prose.matchAll(/`((?:npm run heaplab -- |heaplab )[^`]*)`/g)) {
    const after = prose.slice(m.index! + m[0].length, m.index! + m[0].length + 400);
    const shown = /^[^`]*?\b(?:answers|prints)\s+`([^`]+)`/.exec(after);
    out.push({ text: m[1]!, line: lineAt(m.index!), output: shown ? shown[1]! : null });
  }
  return out;
}

/** The CLI arguments of an example. */
function argsOf(text: string): string[] {
  return text.replace(/^npm run heaplab -- /, '').replace(/^heaplab /, '').trim().split(/\s+/);
}

function placeholder(arg: string): boolean {
  return /^[A-Z][A-Z0-9_,]*…?$/.test(arg) || /…|<|\.\.\./.test(arg);
}

/** Workload examples run on the first 20,000 events unless they bound the run themselves. */
function quick(args: string[]): string[] {
  const workload = args.includes('-w') || args.includes('--workload');
  const at = args.indexOf('--at');
  const bounded = args.includes('--ops') || (at >= 0 && /^\d+$/.test(args[at + 1] ?? ''));
  return workload && !bounded ? [...args, '--ops', '20000'] : args;
}

const ids = (s: string): string => s.replace(/#\d+/g, '#N');

test('readmeExamples finds examples in code blocks and inline spans, with the output the README gives', () => {
  const md = 'Try `heaplab list` first.\n\n```sh\nheaplab config   # the merged configuration\nnpm ci\n```\n\n`heaplab who 0x10 -a x -w churn --at 5` asks and\nanswers `0x10: unmapped`.\n';
  assert.equal(readmeExamples(md), [
    { text: 'heaplab config', line: 4, output: null },
    { text: 'heaplab list', line: 1, output: null },
    { text: 'heaplab who 0x10 -a x -w churn --at 5', line: 8, output: '0x10: unmapped' },
  ]);
});

test("the README's heaplab examples run, exit 0, and print what the README says they print", async () => {
  const examples = readmeExamples(readFileSync(README, 'utf8'));
  let ran = 0;
  for (const ex of examples) {
    const args = argsOf(ex.text);
    if (args.some(placeholder)) continue;
    if (SET_ASIDE.some(([prefix]) => ex.text === prefix || ex.text.startsWith(prefix + ' '))) continue;
    const r = await runCli(quick(args));
    assert.is(r.code, 0, `README.md:${ex.line}: ${ex.text} exited ${r.code}: ${r.err}`);
    if (ex.output !== null) {
      const lines = r.out.split('\n').map(ids);
      assert.ok(lines.includes(ids(ex.output)), `README.md:${ex.line}: ${ex.text} prints\n${r.out}\nnot the line the README shows:\n${ex.output}`);
    }
    ran++;
  }
  assert.ok(ran >= 4, `only ${ran} README examples ran: ${examples.map((e) => e.text).join(' | ')}`);
});

test.run();
