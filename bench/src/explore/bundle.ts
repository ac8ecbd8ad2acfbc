/*
 * Builds the explorer's page with esbuild: bench/web/src/worker.ts (the trace reader) is bundled
 * first and its code handed to the page's bundle as a string, which starts it from a Blob URL —
 * so the page works from a server and from file:// alike (browsers refuse a worker script loaded
 * from file://). Then bench/web/src/main.ts with the real packages (core and the four allocators)
 * for `platform: 'browser'`. Node modules the packages import are replaced: node:buffer by a
 * small Buffer (bench/web/shims/buffer.js); every other node: module by a module whose every
 * export throws when called (file access, zlib, child processes: code paths the page never takes;
 * the page gunzips with DecompressionStream). `node bench/dist/explore/bundle.js [DIR]` builds
 * into DIR (default bench/dist/explore/web); bench's build step runs it.
 *
 * Output: index.html, style.css, app.js — minified, without a source map (its sources would include
 * the absent node: modules, which no file holds; the page's sources ship in web/ and src/).
 */

import { build, type Plugin } from 'esbuild';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** bench/web, found from this file in src/explore or dist/explore. */
export const WEB_DIR = fileURLToPath(new URL('../../web/', import.meta.url));
/** Where the build step puts the page. */
export const DEFAULT_OUT = fileURLToPath(new URL('../../dist/explore/web/', import.meta.url));

const nodeShims: Plugin = {
  name: 'node-shims',
  setup(b) {
    b.onResolve({ filter: /^node:/ }, (args) => {
      if (args.path === 'node:buffer') return { path: join(WEB_DIR, 'shims', 'buffer.js') };
      return { path: args.path, namespace: 'node-absent' };
    });
    b.onLoad({ filter: /.*/, namespace: 'node-absent' }, (args) => ({
      loader: 'js',
      contents: `const absent = (name) => function () { throw new Error(${JSON.stringify(args.path)} + '.' + String(name) + ' is not available in the browser'); };
module.exports = new Proxy({}, { get: (_, k) => (k === '__esModule' ? false : k === 'default' ? module.exports : absent(k)) });`,
    }));
  },
};

/** Bundles the page into `out`; returns the files written and the bundle's bytes. */
export async function buildExplorer(out = DEFAULT_OUT): Promise<{ files: string[]; bytes: number }> {
  // tsx's loader is imported dynamically by core's configuration loading for .ts modules: never in the page.
  const common = { bundle: true, platform: 'browser' as const, format: 'esm' as const, target: 'es2022', plugins: [nodeShims], external: ['tsx/esm/api'], logLevel: 'error' as const, minify: true, legalComments: 'none' as const };
  const worker = await build({ ...common, entryPoints: [join(WEB_DIR, 'src', 'worker.ts')], write: false, format: 'iife' });
  const workerCode = worker.outputFiles[0]!.text;
  mkdirSync(out, { recursive: true });
  const app = await build({
    ...common,
    entryPoints: [join(WEB_DIR, 'src', 'main.ts')],
    outfile: join(out, 'app.js'),
    define: { __WORKER_SOURCE__: JSON.stringify(workerCode) },
    // A classic script (not a module) loads from file:// too.
    format: 'iife',
  });
  void app;
  copyFileSync(join(WEB_DIR, 'style.css'), join(out, 'style.css'));
  writeFileSync(join(out, 'index.html'), readFileSync(join(WEB_DIR, 'index.html'), 'utf8'));
  const bytes = readFileSync(join(out, 'app.js')).length;
  return { files: ['index.html', 'style.css', 'app.js'].map((f) => join(out, f)), bytes };
}

const invoked = process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1];
if (invoked) {
  const out = process.argv[2] ?? DEFAULT_OUT;
  const r = await buildExplorer(out);
  process.stdout.write(`explorer page: ${dirname(r.files[0]!)} (app.js ${(r.bytes / 1024).toFixed(0)} KiB)\n`);
}
