#!/usr/bin/env node
/*
 * The `heaplab` command line. Commander parses; each command is a file in ./commands.
 * Unknown commands, flags and names are errors that list what exists; usage errors exit 2,
 * other failures exit 1 with the error's message (and its stack with HEAPLAB_DEBUG=1).
 * The program's own options (--version, --help) come before the command, so a command that
 * passes its arguments on (`trace record ls -la`) passes them all.
 */

import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { HeaplabError } from '@heaplab/core';
import { UsageError } from '../allocators.js';
import { COMMANDS } from './commands/index.js';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

export function buildProgram(): Command {
  const program = new Command();
  program
    .name('heaplab')
    .description('a laboratory for memory allocators: fuzz them, replay workloads and traces, compare them')
    .version(pkg.version, '-V, --version')
    .showHelpAfterError()
    .showSuggestionAfterError()
    .enablePositionalOptions()
    .exitOverride();
  for (const register of COMMANDS) register(program);
  for (const c of program.commands) c.exitOverride().showHelpAfterError();
  return program;
}

export async function main(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv, { from: 'user' });
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    if (e instanceof UsageError) {
      console.error(`heaplab: ${e.message}`);
      return 2;
    }
    if (process.env.HEAPLAB_DEBUG) console.error(e);
    else console.error(`heaplab: ${e instanceof HeaplabError ? e.message : String((e as Error).message ?? e)}`);
    return 1;
  }
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('/heaplab')) {
  main(process.argv.slice(2)).then((code) => process.exit(code));
}
