/*
 * Runs the native C replay driver (bench/native, see its README) on a v1 text trace with the
 * system malloc and, where installed, jemalloc, mimalloc and tcmalloc (LD_PRELOAD) and musl
 * (the driver linked statically with musl-gcc), and reads its JSON figures. An allocator that
 * is absent — or a driver that was not built — is skipped with a message, never an error.
 */

import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { NativeFigures } from './table.js';

const exec = promisify(execFile);

/** bench/native, from bench/dist/metrics or bench/src/metrics. */
export const NATIVE_DIR = fileURLToPath(new URL('../../native/', import.meta.url));

/** Options of a native run. */
export interface NativeOptions {
  /** Footprint touch (`-p`): a byte in every page of each block too. */
  footprint: boolean;
  /** Where the built driver is. Default NATIVE_DIR (bench/native). */
  dir?: string;
}

/** What a native run gives: the figures of each allocator, and why others were skipped. */
export interface NativeRun {
  figures: NativeFigures[];
  skipped: string[];
}

/** Where each preloadable allocator's shared library usually is. */
const PRELOADS: [name: string, paths: string[]][] = [
  ['jemalloc', ['/usr/lib/x86_64-linux-gnu/libjemalloc.so.2', '/usr/lib/aarch64-linux-gnu/libjemalloc.so.2', '/usr/local/lib/libjemalloc.so.2', '/usr/lib64/libjemalloc.so.2', '/usr/lib/libjemalloc.so.2']],
  ['mimalloc', ['/usr/lib/x86_64-linux-gnu/libmimalloc.so.2', '/usr/lib/aarch64-linux-gnu/libmimalloc.so.2', '/usr/local/lib/libmimalloc.so', '/usr/lib64/libmimalloc.so.2', '/usr/lib/libmimalloc.so']],
  ['tcmalloc', ['/usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4', '/usr/lib/aarch64-linux-gnu/libtcmalloc_minimal.so.4', '/usr/local/lib/libtcmalloc_minimal.so.4', '/usr/lib64/libtcmalloc_minimal.so.4', '/usr/lib/libtcmalloc_minimal.so.4']],
];

/** The driver's JSON line (see bench/native/README.md). */
interface DriverJson {
  events: number;
  ns_per_event: number;
  footprint_bytes: number;
}

function parseDriver(stdout: string, what: string): DriverJson {
  const line = stdout.trim().split('\n').at(-1) ?? '';
  let j: Partial<DriverJson>;
  try {
    j = JSON.parse(line) as Partial<DriverJson>;
  } catch {
    throw new Error(`native driver (${what}): expected a JSON line on standard output, got ${JSON.stringify(line.slice(0, 80))}`);
  }
  if (typeof j.ns_per_event !== 'number' || typeof j.footprint_bytes !== 'number') {
    throw new Error(`native driver (${what}): expected ns_per_event and footprint_bytes in ${JSON.stringify(line.slice(0, 120))}`);
  }
  return j as DriverJson;
}

async function runOne(name: string, driver: string, trace: string, options: NativeOptions, preload?: string): Promise<NativeFigures> {
  const args = [...(options.footprint ? ['-p'] : []), trace];
  const env = preload ? { ...process.env, LD_PRELOAD: preload } : process.env;
  const { stdout } = await exec(driver, args, { env, maxBuffer: 1 << 20 });
  const j = parseDriver(stdout, name);
  return { name, nsPerEvent: j.ns_per_event, runsNsPerEvent: [j.ns_per_event], footprint: j.footprint_bytes };
}

/** Replays a v1 text trace with every native allocator available here, one after another. */
export async function runNative(trace: string, options: NativeOptions): Promise<NativeRun> {
  const figures: NativeFigures[] = [];
  const skipped: string[] = [];
  const dir = options.dir ?? NATIVE_DIR;
  const driver = join(dir, 'replay');
  if (!existsSync(driver)) {
    skipped.push(`the driver is not built (${driver} is missing; \`npm run build -w @heaplab/bench\` builds it where a C compiler exists)`);
    return { figures, skipped };
  }
  figures.push(await runOne('glibc', driver, trace, options));
  for (const [name, paths] of PRELOADS) {
    const lib = paths.find((p) => existsSync(p));
    if (lib === undefined) skipped.push(`${name} skipped: not installed (looked for ${paths[0]} and ${paths.length - 1} other places)`);
    else figures.push(await runOne(name, driver, trace, options, lib));
  }
  const musl = join(dir, 'replay-musl');
  if (existsSync(musl)) figures.push(await runOne('musl', musl, trace, options));
  else skipped.push(`musl skipped: ${musl} is not built (needs musl-gcc)`);
  return { figures, skipped };
}
