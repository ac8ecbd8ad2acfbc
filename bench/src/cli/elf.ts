/*
 * Whether a program can be recorded with LD_PRELOAD: only a program the dynamic loader starts
 * loads a preloaded library, and the loader is named by the program's PT_INTERP header. A
 * statically linked executable (static or static-pie) has none, so the recorder never runs in it.
 *
 * ELF layout read (both classes, both byte orders): the identification bytes 7f 'E' 'L' 'F',
 * EI_CLASS (1: 32-bit, 2: 64-bit) and EI_DATA (1: little, 2: big endian) at 4 and 5; then
 * e_phoff (32-bit: u32 at 28; 64-bit: u64 at 32), e_phentsize and e_phnum (u16 at 42/44; 54/56);
 * each program header starts with its u32 p_type, PT_INTERP = 3.
 */

import { accessSync, closeSync, constants, openSync, readSync, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/** How a file links: `dynamic` (has PT_INTERP), `static` (an ELF without it), or `not-elf` (a script, say). */
export type Linking = 'dynamic' | 'static' | 'not-elf';

const PT_INTERP = 3;

/** The linking of the ELF file at `path` (which must exist and be readable). */
export function elfLinking(path: string): Linking {
  const fd = openSync(path, 'r');
  try {
    const head = Buffer.alloc(64);
    const n = readSync(fd, head, 0, 64, 0);
    if (n < 52 || head.readUInt32BE(0) !== 0x7f454c46) return 'not-elf';
    const wide = head[4] === 2;
    const little = head[5] !== 2;
    const u16 = (b: Buffer, o: number): number => (little ? b.readUInt16LE(o) : b.readUInt16BE(o));
    const u32 = (b: Buffer, o: number): number => (little ? b.readUInt32LE(o) : b.readUInt32BE(o));
    const phoff = wide ? Number(little ? head.readBigUInt64LE(32) : head.readBigUInt64BE(32)) : u32(head, 28);
    const phentsize = u16(head, wide ? 54 : 42);
    const phnum = u16(head, wide ? 56 : 44);
    if (phnum === 0 || phentsize < 4) return 'static';
    const table = Buffer.alloc(phentsize * phnum);
    readSync(fd, table, 0, table.length, phoff);
    for (let k = 0; k < phnum; k++) if (u32(table, k * phentsize) === PT_INTERP) return 'dynamic';
    return 'static';
  } finally {
    closeSync(fd);
  }
}

/** The file a command name runs: itself when it has a slash, else the first executable of that name on PATH; null when none. */
export function findExecutable(command: string, path = process.env.PATH ?? ''): string | null {
  const candidates = command.includes('/') ? [command] : path.split(delimiter).filter(Boolean).map((dir) => join(dir, command));
  for (const c of candidates) {
    try {
      if (!statSync(c).isFile()) continue;
      accessSync(c, constants.X_OK);
      return c;
    } catch {
      continue;
    }
  }
  return null;
}
