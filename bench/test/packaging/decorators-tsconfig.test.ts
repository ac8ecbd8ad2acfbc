/*
 * The README's dependency-injection snippets work in a user's own project: in the folder where
 * the tarballs are installed (install.ts), each snippet of the README's "Picking an allocator by
 * DI token" section is written to a file of its own folder, compiled by tsc and run by Node.
 *   - the snippet without decorators (container.resolve(ALLOCATOR)) compiles with plain NodeNext
 *     options and runs;
 *   - the @inject(ALLOCATOR) snippet compiles with the README's tsconfig, which extends the
 *     @heaplab/core/tsconfig.decorators.json the package ships, and runs;
 *   - without those options the same file does not compile (the parameter decorator is refused),
 *     which is why the tsconfig is shipped.
 * Each run appends one line to the snippet that prints what it resolved, so the test sees the
 * allocator the container gave.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, run } from './pack.js';
import { installAll, userEnv } from './install.js';

const SECTION = '## Picking an allocator by DI token';
const TSC = join(ROOT, 'node_modules', '.bin', 'tsc');

/** The fenced blocks of the README's DI section, in order, with their language. */
function sectionBlocks(): { lang: string; text: string }[] {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf(`\n${SECTION}\n`);
  assert.ok(start >= 0, `README.md has a "${SECTION}" section`);
  const rest = readme.slice(start + SECTION.length + 2);
  const section = rest.slice(0, rest.search(/\n## /) >>> 0 || rest.length);
  return [...section.matchAll(/```(\w+)\n([\s\S]*?)```/g)].map((m) => ({ lang: m[1]!, text: m[2]! }));
}

/** Writes a project folder in the installed folder, compiles it with tsc; returns tsc's outcome. */
async function compile(name: string, tsconfig: string, source: string): Promise<{ ok: boolean; output: string; dir: string }> {
  const { dir: root } = await installAll();
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'tsconfig.json'), tsconfig);
  writeFileSync(join(dir, 'main.ts'), source);
  try {
    const r = await run(TSC, ['-p', dir], { cwd: dir, env: userEnv() });
    return { ok: true, output: r.stdout + r.stderr, dir };
  } catch (e) {
    const x = e as { stdout?: string; stderr?: string };
    return { ok: false, output: `${x.stdout ?? ''}${x.stderr ?? ''}`, dir };
  }
}

async function runMain(dir: string): Promise<string> {
  try {
    return (await run('node', ['main.js'], { cwd: dir, env: userEnv() })).stdout;
  } catch (e) {
    const x = e as { stdout?: string; stderr?: string; message: string };
    throw new Error(`node main.js failed in ${dir}: ${x.message}\n${x.stdout ?? ''}${x.stderr ?? ''}`);
  }
}

/** What the README asks of a TypeScript user without decorators: NodeNext, and Node's types for core's declarations. */
const PLAIN_TSCONFIG = JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', types: ['node'], strict: true } });

test('the README shows the way without decorators first, then the tsconfig and the @inject class', () => {
  const blocks = sectionBlocks();
  const ts = blocks.filter((b) => b.lang === 'ts');
  assert.is(ts.length, 2, 'two TypeScript snippets');
  assert.match(ts[0]!.text, /container\.resolve<Allocator>\(ALLOCATOR\)/);
  assert.not.match(ts[0]!.text, /@inject/);
  assert.match(ts[1]!.text, /@inject\(ALLOCATOR\)/);
  assert.ok(blocks.findIndex((b) => b.lang === 'json') < blocks.indexOf(ts[1]!), 'the tsconfig comes before the decorated class');
  for (const b of ts) assert.match(b.text, /^import 'reflect-metadata';/, 'each snippet loads reflect-metadata first');
});

test('the snippet without decorators compiles with plain NodeNext options and resolves an allocator by token', async () => {
  const [plain] = sectionBlocks().filter((b) => b.lang === 'ts');
  const source = `${plain!.text}console.log(JSON.stringify({ name: heap.identity.name, policy: heap.identity.parameters.policy, live: heap.stats().liveBlocks }));\n`;
  const c = await compile('di-plain', PLAIN_TSCONFIG, source);
  assert.ok(c.ok, `tsc: ${c.output}`);
  assert.equal(JSON.parse(await runMain(c.dir)), { name: 'dlmalloc-style', policy: 'first-fit', live: 0 });
});

test("a user's @inject class compiles with the README's tsconfig extending @heaplab/core/tsconfig.decorators.json, and runs", async () => {
  const blocks = sectionBlocks();
  const tsconfig = blocks.find((b) => b.lang === 'json')!.text;
  assert.match(tsconfig, /"extends": "@heaplab\/core\/tsconfig\.decorators\.json"/);
  const decorated = blocks.filter((b) => b.lang === 'ts')[1]!.text;
  const source = `${decorated}const p = store.heap.malloc(24);\nstore.heap.free(p);\nconsole.log(JSON.stringify({ name: store.heap.identity.name, isStore: store instanceof StringStore, live: store.heap.stats().liveBlocks }));\n`;
  const c = await compile('di-decorated', tsconfig, source);
  assert.ok(c.ok, `tsc: ${c.output}`);
  assert.equal(JSON.parse(await runMain(c.dir)), { name: 'dlmalloc-style', isStore: true, live: 0 });
});

test('without the decorator options the same @inject class does not compile', async () => {
  const decorated = sectionBlocks().filter((b) => b.lang === 'ts')[1]!.text;
  const c = await compile('di-no-options', PLAIN_TSCONFIG, decorated);
  assert.not.ok(c.ok, 'tsc refuses the parameter decorator');
  assert.match(c.output, /[Dd]ecorator/);
});

test.run();
