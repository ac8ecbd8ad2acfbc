/*
 * Provenance of a record: what a reader needs to reproduce a figure or to judge it — the commit
 * and whether the tree had changes, the runtime (Node, V8), the machine (CPU model and count,
 * memory, load average before and after), the C library, and each native allocator's library
 * with its Debian package version where dpkg knows the file. Every probe that fails gives null:
 * provenance never stops a run.
 */

import { execFileSync } from 'node:child_process';
import { readFileSync, realpathSync } from 'node:fs';
import { cpus, loadavg, platform, release, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { nativeAllocators } from '../metrics/native.js';
import type { Provenance } from './api.js';

/** The repository bench lives in (bench/dist/lab or bench/src/lab → the repository root). */
const REPO = fileURLToPath(new URL('../../../', import.meta.url));

function git(args: string[]): string | null {
  try {
    return execFileSync('git', args, { cwd: REPO, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
}

function packageVersion(file: string): string | null {
  try {
    const owner = execFileSync('dpkg-query', ['-S', file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).split(':')[0]!.trim();
    const version = execFileSync('dpkg-query', ['-W', '-f', '${Version}', owner], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    return `${owner} ${version}`;
  } catch {
    return null;
  }
}

function libc(): string | null {
  const header = (process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined)?.header;
  return header?.glibcVersionRuntime ? `glibc ${header.glibcVersionRuntime}` : null;
}

function heaplabVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { name: string; version: string };
    return `${pkg.name} ${pkg.version}`;
  } catch {
    return 'unknown';
  }
}

/** The load average now (1, 5 and 15 minutes). */
export function load(): number[] {
  return loadavg().map((x) => Math.round(x * 100) / 100);
}

/** The native allocators' libraries and versions (glibc: the C library's own). */
export async function nativeLibraries(): Promise<Provenance['nativeLibraries']> {
  try {
    const entries = await nativeAllocators();
    return entries
      .filter((e) => e.available)
      .map((e) => {
        if (e.name === 'glibc') return { name: e.name, library: null, version: libc() };
        const file = e.preload ?? e.driver ?? null;
        let real = file;
        try {
          if (file) real = realpathSync(file);
        } catch {
          // keep the path as given
        }
        return { name: e.name, library: real, version: real && e.preload ? packageVersion(real) : null };
      });
  } catch {
    return [];
  }
}

/** Everything but the load after the run and its duration, read before the run. */
export async function provenanceBefore(): Promise<Omit<Provenance, 'loadAfter' | 'seconds'>> {
  const commit = git(['rev-parse', 'HEAD']);
  const status = commit === null ? null : git(['status', '--porcelain', '--untracked-files=no']);
  const c = cpus();
  return {
    commit,
    dirty: status === null ? null : status.length > 0,
    date: new Date().toISOString(),
    node: process.version,
    v8: process.versions.v8,
    platform: `${platform()} ${release()}`,
    cpu: { model: c[0]?.model.trim() ?? 'unknown', count: c.length },
    memoryBytes: totalmem(),
    loadBefore: load(),
    libc: libc(),
    nativeLibraries: await nativeLibraries(),
    heaplab: heaplabVersion(),
  };
}
