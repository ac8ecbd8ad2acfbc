/*
 * Runs the heaplab CLI in-process (`main` from src/cli/main.ts) and captures what it writes to
 * standard output and standard error, so command tests need no build and no child process.
 */

import { main } from '../../src/cli/main.js';

export interface CliResult {
  code: number;
  out: string;
  err: string;
}

export async function runCli(args: string[]): Promise<CliResult> {
  let out = '';
  let err = '';
  const log = console.log;
  const error = console.error;
  const stdoutWrite = process.stdout.write.bind(process.stdout);
  const stderrWrite = process.stderr.write.bind(process.stderr);
  console.log = (...a: unknown[]) => void (out += a.map(String).join(' ') + '\n');
  console.error = (...a: unknown[]) => void (err += a.map(String).join(' ') + '\n');
  process.stdout.write = ((chunk: string | Uint8Array) => {
    out += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    return true;
  }) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => {
    err += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    return true;
  }) as typeof process.stderr.write;
  try {
    const code = await main(args);
    return { code, out, err };
  } finally {
    console.log = log;
    console.error = error;
    process.stdout.write = stdoutWrite;
    process.stderr.write = stderrWrite;
  }
}
