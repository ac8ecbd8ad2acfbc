/*
 * Generated sections of the READMEs: text between `<!-- heaplab:NAME:start -->` and
 * `<!-- heaplab:NAME:end -->` markers is replaced as a whole, everything else is left as it is.
 * The root README's comparison table (`heaplab bench --readme`), bench's misuse matrix (a test)
 * and the figures blocks (bench/src/lab/figures.ts, from ledger records) are written this way, never
 * by hand.
 */

import { readFileSync } from 'node:fs';
import { writeFileAtomicSync } from '@heaplab/core';
import { fileURLToPath } from 'node:url';

/** The repository's README.md, from bench/dist/matrix or bench/src/matrix. */
export const ROOT_README = fileURLToPath(new URL('../../../README.md', import.meta.url));
/** bench's own README.md, from bench/dist/matrix or bench/src/matrix. */
export const BENCH_README = fileURLToPath(new URL('../../README.md', import.meta.url));

function markers(name: string): [string, string] {
  if (!/^[a-z][a-z0-9-]*$/.test(name)) throw new TypeError(`section name must be lower-case with dashes, got ${JSON.stringify(name)}`);
  return [`<!-- heaplab:${name}:start -->`, `<!-- heaplab:${name}:end -->`];
}

/** The text between a section's markers, or null when the markers are absent. */
export function readSection(text: string, name: string): string | null {
  const [a, b] = markers(name);
  const i = text.indexOf(a);
  const j = text.indexOf(b);
  if (i < 0 || j < i) return null;
  return text.slice(i + a.length, j).replace(/^\n/, '').replace(/\n$/, '');
}

/** The text with a section's content replaced; throws when its markers are absent. */
export function replaceSection(text: string, name: string, content: string): string {
  const [a, b] = markers(name);
  const i = text.indexOf(a);
  const j = text.indexOf(b);
  if (i < 0 || j < i) throw new Error(`README has no section ${a} … ${b}`);
  return `${text.slice(0, i + a.length)}\n${content}\n${text.slice(j)}`;
}

/** Rewrites a section of a file in place; returns true when it changed. */
export function updateSection(file: string, name: string, content: string): boolean {
  const before = readFileSync(file, 'utf8');
  const after = replaceSection(before, name, content);
  if (after === before) return false;
  writeFileAtomicSync(file, after);
  return true;
}
