/*
 * Packs every workspace of the repository with `npm pack`, once per test process, into a
 * temporary folder: what a user would download from the registry. The tests of this folder
 * share the result (uvu runs every test file in one process).
 *
 * Each tarball is described by npm's own `--json` report: the package's name and version, the
 * tarball's file name and the list of files it holds, so a test can ask what a package ships
 * without unpacking it.
 */

import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

export const run = promisify(execFile);

/** The repository's root folder. */
export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** One packed workspace, as `npm pack --json` reports it. */
export interface Packed {
  /** The workspace's folder, relative to the root (`packages/core`, `bench`). */
  workspace: string;
  name: string;
  version: string;
  /** Absolute path of the tarball. */
  tarball: string;
  /** Paths inside the package (`package.json`, `dist/index.js`, …). */
  files: string[];
  /** The package.json it ships. */
  manifest: Record<string, unknown>;
}

/** Makes a temporary folder that is removed when the test process exits. */
export function temporaryFolder(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** The workspaces, in the root package.json's order. */
export function workspaces(): string[] {
  const root = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { workspaces: string[] };
  return root.workspaces;
}

let packing: Promise<Packed[]> | undefined;

/** Packs every workspace (once per process) and returns what each tarball holds. */
export function packAll(): Promise<Packed[]> {
  packing ??= (async () => {
    const dest = temporaryFolder('heaplab-pack-');
    const names = workspaces();
    const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', dest, ...names.flatMap((w) => ['-w', w])], {
      cwd: ROOT,
      maxBuffer: 64 << 20,
    });
    const reports = JSON.parse(stdout) as { name: string; version: string; filename: string; files: { path: string }[] }[];
    return reports.map((r) => {
      const workspace = names.find((w) => JSON.parse(readFileSync(join(ROOT, w, 'package.json'), 'utf8')).name === r.name);
      if (workspace === undefined) throw new Error(`npm pack reported ${r.name}, which is no workspace of ${ROOT}`);
      return {
        workspace,
        name: r.name,
        version: r.version,
        tarball: join(dest, r.filename),
        files: r.files.map((f) => f.path),
        manifest: JSON.parse(readFileSync(join(ROOT, workspace, 'package.json'), 'utf8')) as Record<string, unknown>,
      };
    });
  })();
  return packing;
}
