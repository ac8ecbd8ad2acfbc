/*
 * Installs the packed tarballs (pack.ts) into an empty folder outside the repository, as a user
 * would install heaplab from the registry, once per test process, and offline.
 *
 * Offline: a plain `npm install ./x.tgz` needs each third-party dependency's registry metadata,
 * which `npm ci` does not keep in the npm cache (it installs by the lock's integrity alone). So the
 * folder gets a package-lock.json made from the repository's: the tarballs at the places of their
 * workspaces (`node_modules/@heaplab/core`, `node_modules/heaplab`, with their integrity), and the
 * third-party packages they depend on, found by Node's lookup from each workspace and copied with
 * their versions and integrity, at the same relative places (`bench/node_modules/x` becomes
 * `node_modules/heaplab/node_modules/x`). `npm ci --offline` then installs it all from the cache
 * that the repository's own `npm ci` filled: the same versions CI tests against.
 *
 * The folder is in the system's temporary directory, so no heaplab.config.json of the repository
 * is in reach: the installed CLI runs as it does for a new user.
 */

import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ROOT, packAll, run, temporaryFolder, type Packed } from './pack.js';

interface LockEntry {
  name?: string;
  version?: string;
  resolved?: string;
  integrity?: string;
  link?: boolean;
  dev?: boolean;
  devOptional?: boolean;
  peer?: boolean;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  [key: string]: unknown;
}

/**
 * Dependencies the user adds beside heaplab's packages, as the README says: tsyringe and
 * reflect-metadata (the DI snippets import them) and @types/node (core's declarations use
 * Node's types, e.g. Buffer, so a TypeScript user compiles against them).
 */
export const USER_DEPENDENCIES = ['tsyringe', 'reflect-metadata', '@types/node'];

/** The installed folder. */
export interface Installed {
  dir: string;
  packed: Packed[];
  /** Seconds taken by `npm ci --offline` in it. */
  installSeconds: number;
}

/** The environment for commands run in the installed folder: the repository's npm run variables removed. */
export function userEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (k === 'INIT_CWD' || k === 'NODE_OPTIONS' || k.startsWith('HEAPLAB_')) continue;
    if (k.startsWith('npm_') && !['npm_config_cache', 'npm_config_userconfig', 'npm_config_registry'].includes(k)) continue;
    env[k] = v;
  }
  return env;
}

/** The folder holding a lock location's node_modules: `a/node_modules/b` → `a`; `node_modules/b` and workspaces → ''. */
function parentOf(location: string): string {
  const i = location.lastIndexOf('node_modules/');
  return i <= 0 ? '' : location.slice(0, i - 1);
}

/** Where Node finds `name` from `location` in the repository's lock (links followed to their workspace). */
function lookup(packages: Record<string, LockEntry>, location: string, name: string): string | null {
  for (let at = location; ; at = parentOf(at)) {
    const candidate = `${at ? `${at}/` : ''}node_modules/${name}`;
    const e = packages[candidate];
    if (e) return e.link ? (e.resolved as string) : candidate;
    if (at === '') return null;
  }
}

/** A package-lock.json for a folder that depends on the tarballs and on USER_DEPENDENCIES. */
export function userLock(packed: Packed[]): { manifest: object; lock: object } {
  const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockEntry> };
  const P = lock.packages;
  const byWorkspace = new Map(packed.map((p) => [p.workspace, p]));
  const place = (location: string): string => {
    for (const [w, p] of byWorkspace) if (location === w || location.startsWith(`${w}/`)) return `node_modules/${p.name}${location.slice(w.length)}`;
    return location;
  };
  const seen = new Set<string>();
  const queue = [...byWorkspace.keys()];
  const userSpecs: Record<string, string> = {};
  for (const name of USER_DEPENDENCIES) {
    const at = lookup(P, 'packages/core', name);
    if (at === null) throw new Error(`${name} is not in the repository's lock`);
    queue.push(at);
    userSpecs[name] = `^${P[at]!.version}`;
  }
  while (queue.length > 0) {
    const location = queue.shift()!;
    if (seen.has(location)) continue;
    seen.add(location);
    const e = P[location]!;
    for (const field of ['dependencies', 'optionalDependencies', 'peerDependencies'] as const) {
      for (const name of Object.keys(e[field] ?? {})) {
        const at = lookup(P, location, name);
        if (at === null) {
          if (field === 'dependencies') throw new Error(`${location} depends on ${name}, which is not in the repository's lock`);
          continue;
        }
        queue.push(at);
      }
    }
  }
  const dependencies: Record<string, string> = { ...userSpecs };
  const packages: Record<string, LockEntry> = {};
  for (const location of [...seen].sort()) {
    const { dev, devOptional, peer, link, devDependencies, scripts, workspaces, ...entry } = P[location]!;
    const p = byWorkspace.get(location);
    if (p) {
      const spec = `file:${p.tarball}`;
      dependencies[p.name] = spec;
      entry.resolved = spec;
      entry.integrity = `sha512-${createHash('sha512').update(readFileSync(p.tarball)).digest('base64')}`;
    }
    packages[place(location)] = entry;
  }
  const manifest = { name: 'heaplab-user', version: '1.0.0', private: true, type: 'module', dependencies };
  return { manifest, lock: { name: 'heaplab-user', version: '1.0.0', lockfileVersion: 3, requires: true, packages: { '': { name: 'heaplab-user', version: '1.0.0', dependencies }, ...packages } } };
}

/** The folders from `dir` up to the root of the file system that hold a heaplab.config.json. */
export function configsInReach(dir: string): string[] {
  const found: string[] = [];
  for (let d = dir; ; d = dirname(d)) {
    if (existsSync(join(d, 'heaplab.config.json'))) found.push(d);
    if (dirname(d) === d) return found;
  }
}

let installing: Promise<Installed> | undefined;

/** Packs every workspace and installs the tarballs into a new folder (once per process). */
export function installAll(): Promise<Installed> {
  installing ??= (async () => {
    const packed = await packAll();
    const dir = temporaryFolder('heaplab-user-');
    const { manifest, lock } = userLock(packed);
    writeFileSync(join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    writeFileSync(join(dir, 'package-lock.json'), `${JSON.stringify(lock, null, 2)}\n`);
    const t0 = performance.now();
    await run('npm', ['ci', '--offline', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: dir, env: userEnv(), maxBuffer: 16 << 20 });
    return { dir, packed, installSeconds: (performance.now() - t0) / 1000 };
  })();
  return installing;
}
