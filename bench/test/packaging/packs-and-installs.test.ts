/*
 * heaplab as a user gets it from the registry: every workspace packed with `npm pack`, the
 * tarballs installed offline into an empty folder outside the repository (install.ts), and there:
 *   - `npx heaplab` runs the CLI (`--help`, a churn replay with dlmalloc-style), with no
 *     heaplab.config.json in reach;
 *   - a user's script imports @heaplab/core and an allocator package by name and mallocs/frees;
 *   - every `exports` entry resolves, types first, to files the tarball ships, for Node and for
 *     TypeScript;
 *   - every source map points at sources the tarball ships;
 *   - no shipped file cites documents outside the project.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { ROOT, run } from './pack.js';
import { configsInReach, installAll, userEnv } from './install.js';

const started = performance.now();

/** Runs a command in the installed folder; resolves with its output, rejects with it on failure. */
async function inUserFolder(cmd: string, args: string[]): Promise<{ stdout: string; stderr: string }> {
  const { dir } = await installAll();
  try {
    return await run(cmd, args, { cwd: dir, env: userEnv(), maxBuffer: 16 << 20 });
  } catch (e) {
    const x = e as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${cmd} ${args.join(' ')} failed in ${dir}: ${x.message}\n${x.stdout ?? ''}\n${x.stderr ?? ''}`);
  }
}

/** The export map's entries of a manifest: subpath → { condition → target } (a bare string is `default`). */
function exportEntries(manifest: Record<string, unknown>): [string, Record<string, string>][] {
  const exports = manifest.exports as Record<string, string | Record<string, string>> | undefined;
  if (exports === undefined) return [];
  return Object.entries(exports).map(([sub, target]) => [sub, typeof target === 'string' ? { default: target } : target]);
}

test('the packages install offline into an empty folder with no heaplab.config.json in reach', async () => {
  const { dir, packed } = await installAll();
  assert.equal(configsInReach(dir), [], 'no heaplab.config.json from the folder up');
  const names = packed.map((p) => p.name).sort();
  assert.equal(names, ['@heaplab/bump-freestack', '@heaplab/core', '@heaplab/dlmalloc-style', '@heaplab/kernel', '@heaplab/mmap-pages', '@heaplab/zoned-classes', 'heaplab']);
  for (const p of packed) assert.not.ok(p.manifest.private, `${p.name} is publishable (not private)`);
});

test('npm publish --dry-run corrects nothing in any package.json, so the heaplab bin survives publishing', async () => {
  const { packed } = await installAll();
  const { stderr } = await run('npm', ['publish', '--dry-run', '--offline', ...packed.flatMap((p) => ['-w', p.workspace])], { cwd: ROOT, env: userEnv(), maxBuffer: 64 << 20 });
  assert.not.match(stderr, /auto-corrected|was invalid and removed|errors corrected/, stderr.split('\n').filter((l) => /warn/.test(l)).join('\n'));
  for (const p of packed) assert.match(stderr, new RegExp(`name: ${p.name.replace('/', '\\/')}\\n`), `${p.name} went through the dry run`);
  const bin = packed.find((p) => p.name === 'heaplab')!.manifest.bin as Record<string, string>;
  assert.equal(Object.keys(bin), ['heaplab']);
});

test('npx heaplab --help lists the commands', async () => {
  const { stdout } = await inUserFolder('npx', ['--offline', 'heaplab', '--help']);
  assert.match(stdout, /^Usage: heaplab \[options\] \[command\]/);
  for (const command of ['fuzz', 'replay', 'trace', 'workload', 'list', 'config', 'who', 'bench', 'report', 'maps']) {
    assert.match(stdout, new RegExp(`\\n  ${command} `), `--help lists ${command}`);
  }
});

test('npx heaplab replay -w churn -a dlmalloc-style --ops 10000 replays in the installed package', async () => {
  const { stdout } = await inUserFolder('npx', ['--offline', 'heaplab', 'replay', '-w', 'churn', '-a', 'dlmalloc-style', '--ops', '10000']);
  assert.match(stdout, /dlmalloc-style/);
  assert.match(stdout, /\b10,?000 events\b/);
  assert.match(stdout, /M4 peak used \/ peak live/);
});

test('npm explore heaplab -- npm run build:native builds the native driver, and replay --native runs glibc', async () => {
  const { dir } = await installAll();
  const hasGcc = await run('sh', ['-c', 'command -v gcc && command -v make']).then(() => true, () => false);
  if (!hasGcc) return console.log('skipped: gcc or make is not installed, so the native part cannot be built here');
  await inUserFolder('npm', ['explore', 'heaplab', '--', 'npm', 'run', 'build:native']);
  assert.ok(existsSync(join(dir, 'node_modules', 'heaplab', 'native', 'build', 'heaplab-replay')), 'the driver is built inside the installed package');
  const { stdout } = await inUserFolder('npx', ['--offline', 'heaplab', 'replay', '-w', 'churn', '-a', 'dlmalloc-style', '--ops', '2000', '--native']);
  assert.match(stdout, /glibc \(native\)/);
});

test("a user's script imports @heaplab/core and an allocator by name, and mallocs and frees", async () => {
  const { dir } = await installAll();
  writeFileSync(
    join(dir, 'user-script.mjs'),
    `import { createAddressSpace, createRegistry, AllocatorError } from '@heaplab/core';
import { strategy } from '@heaplab/dlmalloc-style/register';
import { createDlmallocAllocator } from '@heaplab/dlmalloc-style';

const registry = createRegistry();
registry.add(strategy);
const space = createAddressSpace({ size: 64 * 1024 * 1024 });
const heap = registry.create('dlmalloc-style', space);
const p = heap.malloc(100);
space.store32(p, 0xdeadbeef);
const q = heap.realloc(p, 5000);
const word = space.load32(q);
let doubleFree = '';
heap.free(q);
try { heap.free(q); } catch (e) { doubleFree = e instanceof AllocatorError ? e.code : String(e); }
heap.check();
const direct = createDlmallocAllocator(createAddressSpace({ size: 16 * 1024 * 1024 }));
direct.free(direct.malloc(24));
console.log(JSON.stringify({ name: heap.identity.name, aligned: p % 16 === 0 && q % 16 === 0, word, doubleFree, live: heap.stats().liveBlocks, directLive: direct.stats().liveBlocks }));
`,
  );
  const { stdout } = await inUserFolder('node', ['user-script.mjs']);
  assert.equal(JSON.parse(stdout), { name: 'dlmalloc-style', aligned: true, word: 0xdeadbeef, doubleFree: 'double-free', live: 0, directLive: 0 });
});

test('every export resolves, types before default, to files its tarball ships', async () => {
  const { dir, packed } = await installAll();
  const specifiers: string[] = [];
  for (const p of packed) {
    for (const [sub, conditions] of exportEntries(p.manifest)) {
      const keys = Object.keys(conditions);
      if ('types' in conditions) assert.ok(keys.indexOf('types') < keys.indexOf('default'), `${p.name} ${sub}: "types" comes before "default" (${keys.join(', ')})`);
      for (const target of Object.values(conditions)) assert.ok(p.files.includes(normalize(target)), `${p.name} ${sub}: ${target} is in the tarball`);
      if (sub.endsWith('.json')) continue;
      if (!('types' in conditions)) assert.unreachable(`${p.name} ${sub}: no "types" condition`);
      specifiers.push(sub === '.' ? p.name : `${p.name}/${sub.slice(2)}`);
    }
  }
  assert.ok(specifiers.includes('@heaplab/core/testing') && specifiers.includes('@heaplab/zoned-classes/register'), specifiers.join(', '));
  // Node: each specifier imports.
  const script = `const out = {}; for (const s of ${JSON.stringify(specifiers)}) out[s] = Object.keys(await import(s)).length; console.log(JSON.stringify(out));`;
  const { stdout } = await inUserFolder('node', ['--input-type=module', '-e', script]);
  const counts = JSON.parse(stdout) as Record<string, number>;
  for (const s of specifiers) assert.ok(counts[s]! > 0, `${s} exports something (${counts[s]})`);
  // TypeScript: each specifier's types resolve under NodeNext in the user's folder.
  writeFileSync(join(dir, 'imports-every-export.ts'), specifiers.map((s, i) => `import * as m${i} from '${s}';\nexport const k${i}: number = Object.keys(m${i}).length;\n`).join(''));
  const tsc = join(ROOT, 'node_modules', '.bin', 'tsc');
  await inUserFolder(tsc, ['--noEmit', '--strict', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022', '--skipLibCheck', '--types', '', 'imports-every-export.ts']);
});

test('every source map points at sources its tarball ships', async () => {
  const { packed } = await installAll();
  let maps = 0;
  for (const p of packed) {
    const shipped = new Set(p.files);
    for (const file of p.files.filter((f) => f.endsWith('.map'))) {
      const map = JSON.parse(readFileSync(join(ROOT, p.workspace, file), 'utf8')) as { sources: string[]; sourceRoot?: string };
      for (const source of map.sources) {
        const path = normalize(join(dirname(file), map.sourceRoot ?? '', source));
        assert.ok(shipped.has(path), `${p.name}: ${file} points at ${source} (${path}), which the tarball does not ship`);
      }
      maps++;
    }
  }
  assert.ok(maps > 0, 'some source maps were checked');
});

test('no shipped file cites documents outside the project', async () => {
  const { dir, packed } = await installAll();
  const outside = /\bBRIEF\b|\bseeds\/|\/work\/shared\b|\.agents\/|\bissue \d+/;
  const citations: string[] = [];
  for (const p of packed) {
    for (const file of p.files) {
      if (file.endsWith('.gz')) continue;
      const lines = readFileSync(join(dir, 'node_modules', p.name, file), 'utf8').split('\n');
      lines.forEach((line, i) => {
        if (outside.test(line)) citations.push(`${p.name}/${file}:${i + 1}: ${line.trim().slice(0, 120)}`);
      });
    }
  }
  assert.equal(citations, [], `shipped files cite documents a user does not have:\n${citations.join('\n')}`);
});

test.after(() => {
  void installAll().then((i) => console.log(`packing and installing took ${i.installSeconds.toFixed(1)} s (npm ci --offline); the file ${((performance.now() - started) / 1000).toFixed(1)} s`));
});

test.run();
