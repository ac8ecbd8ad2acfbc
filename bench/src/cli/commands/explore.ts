/*
 * `heaplab explore [TRACE | -w WORKLOAD] [-a A,B,…] [--port N] [--out DIR]`: the explorer, a page
 * that runs heaplab's allocators in the browser over a trace or a workload, one to four side by
 * side (bench/web, bench/src/explore). Nothing is computed here: the command checks its
 * arguments, builds the page (bench/src/explore/bundle.ts; an installed heaplab uses the page its
 * build step made), writes config.js — the source, the allocator specs and the parameters
 * heaplab.config.json gives each allocator — and serves the files on 127.0.0.1, the trace file as
 * it is at /trace, printing the URL. With --out it writes the same page as static files that open
 * without a server (file://): the trace goes into config.js, base64-encoded.
 */

import type { Command } from 'commander';
import { createServer } from 'node:http';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError, benchConfig } from '../../allocators.js';
import { parseSpecList, specText } from '../../lab/spec.js';
import { specFactory } from '../../lab/factory.js';
import { DEFAULT_SEED, workload } from '../../workloads/index.js';
import { parseCount } from '../options.js';
import { DEFAULT_OUT, buildExplorer } from '../../explore/bundle.js';
import { pageRegistry } from '../../explore/specs.js';

interface ExploreFlags {
  allocator: string;
  workload?: string;
  seed: string;
  ops?: string;
  port: string;
  out?: string;
  spaceMib: string;
}

const PAGE_FILES = ['index.html', 'style.css', 'app.js'];
const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.css': 'text/css', '.js': 'text/javascript' };
/** Traces embedded by --out are read whole; past this they would make config.js unwieldy. */
const MAX_EMBEDDED = 256 * 2 ** 20;

/** The page's files: the build step's when this runs from dist and they are there, else built now. */
async function pageDir(): Promise<string> {
  const fromDist = fileURLToPath(import.meta.url).endsWith('.js');
  if (fromDist && PAGE_FILES.slice(0, 3).every((f) => existsSync(join(DEFAULT_OUT, f)))) return DEFAULT_OUT;
  const dir = mkdtempSync(join(tmpdir(), 'heaplab-explore-'));
  await buildExplorer(dir);
  return dir;
}

export function registerExplore(program: Command): void {
  program
    .command('explore')
    .description('open the explorer: a page that runs the allocators in the browser over a trace or workload, side by side, to scrub through')
    .argument('[trace]', 'trace file (v1 text, binary, gzip of either)')
    .option('-a, --allocator <specs>', 'one to four allocators, separated by commas, each name[:key=value,…][+wrapper…] (mmap-pages, bump-freestack, zoned-classes, dlmalloc-style)', 'dlmalloc-style,zoned-classes')
    .option('-w, --workload <name>', 'a built-in workload instead of a trace')
    .option('--seed <n>', 'workload seed', String(DEFAULT_SEED))
    .option('--ops <n>', 'workload events (default 100000)')
    .option('--space-mib <n>', 'size of each run\'s address space in MiB (as `heaplab who --space-mib`)', '4096')
    .option('--port <n>', 'port on 127.0.0.1 (0: any free port)', '0')
    .option('--out <dir>', 'write the page as static files into DIR (open DIR/index.html; no server)')
    .action(async (file: string | undefined, opts: ExploreFlags) => {
      if (file !== undefined && opts.workload !== undefined) throw new UsageError('explore: give a trace FILE or --workload NAME, not both');
      const specs = parseSpecList(opts.allocator);
      if (specs.length > 4) throw new UsageError(`--allocator: at most four allocators side by side, got ${specs.length}`);
      const inPage = pageRegistry().allocatorNames();
      for (const s of specs) {
        if (s.module !== null) throw new UsageError(`--allocator: "${s.spec}": the page runs the built-in allocators only (no @module)`);
        await specFactory(s); // unknown names and bad options are usage errors here
        if (!inPage.includes(s.name)) throw new UsageError(`--allocator: "${s.spec}": the page runs ${inPage.join(', ')}`);
      }
      const mib = parseCount(opts.spaceMib, '--space-mib');
      if (mib < 16 || mib > 4096) throw new UsageError(`--space-mib: expected 16 to 4096, got ${mib}`);
      const configured = Object.fromEntries(specs.map((s) => [s.name, benchConfig().parametersOf(s.name)]));
      let source: Record<string, unknown>;
      let trace: string | null = null;
      if (file !== undefined) {
        trace = resolve(file);
        if (!existsSync(trace) || !statSync(trace).isFile()) throw new UsageError(`${file}: no such trace file`);
        source = { kind: 'url', url: 'trace', name: basename(trace) };
      } else {
        const name = opts.workload ?? 'churn';
        workload(name);
        const seed = parseCount(opts.seed, '--seed');
        const ops = opts.ops !== undefined ? parseCount(opts.ops, '--ops') : 100_000;
        if (ops < 1) throw new UsageError('--ops: expected at least 1');
        source = { kind: 'workload', name, seed, ops };
      }
      const config = (src: Record<string, unknown>): string =>
        `window.HEAPLAB_EXPLORE = ${JSON.stringify({ source: src, allocators: specs.map((s) => specText(s)), configured, spaceMib: mib })};\n`;
      const dir = await pageDir();
      if (opts.out !== undefined) {
        const out = resolve(opts.out);
        mkdirSync(out, { recursive: true });
        for (const f of PAGE_FILES) if (existsSync(join(dir, f))) copyFileSync(join(dir, f), join(out, f));
        let src = source;
        if (trace !== null) {
          const bytes = readFileSync(trace);
          if (bytes.length > MAX_EMBEDDED) throw new UsageError(`${file}: ${bytes.length} bytes is too large to embed in a static page (at most ${MAX_EMBEDDED}); serve it instead (leave out --out)`);
          src = { kind: 'embedded', name: basename(trace), base64: bytes.toString('base64') };
        }
        writeFileSync(join(out, 'config.js'), config(src));
        process.stdout.write(`explorer written to ${out}: open ${join(out, 'index.html')}\n`);
        return;
      }
      const files = new Map<string, () => Buffer>([['/config.js', () => Buffer.from(config(source))]]);
      for (const f of PAGE_FILES) if (existsSync(join(dir, f))) files.set(`/${f}`, () => readFileSync(join(dir, f)));
      if (trace !== null) files.set('/trace', () => readFileSync(trace!));
      const server = createServer((req, res) => {
        const path = new URL(req.url ?? '/', 'http://localhost').pathname;
        const body = files.get(path === '/' ? '/index.html' : path);
        if (req.method !== 'GET' || !body) {
          res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
          return;
        }
        res.writeHead(200, { 'content-type': TYPES[extname(path)] ?? (path === '/' ? TYPES['.html']! : 'application/octet-stream'), 'cache-control': 'no-store' }).end(body());
      });
      const port = parseCount(opts.port, '--port');
      if (port > 65535) throw new UsageError(`--port: expected 0 to 65535, got ${port}`);
      await new Promise<void>((ok, fail) => {
        server.once('error', (e) => fail(new UsageError(`--port ${port}: ${(e as Error).message}`)));
        server.listen(port, '127.0.0.1', ok);
      });
      const at = server.address();
      const url = `http://127.0.0.1:${typeof at === 'object' && at ? at.port : port}/`;
      process.stdout.write(`explorer at ${url} (Ctrl-C stops it)\n`);
      // Serve until interrupted: the CLI exits when its action returns.
      await new Promise<void>((done) => {
        const stop = (): void => void server.close(() => done());
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
    });
}
