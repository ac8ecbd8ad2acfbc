/*
 * TraceFormatError: a trace that does not follow heaplab-trace v1 (or its binary form). The
 * message names the file, where in it (line of a text trace, byte offset of a binary one), what
 * was expected and what was found, e.g.
 *   app.1234.trace:17: expected a decimal size, got "12x"
 *   app.hltb: byte 4096: expected a varint, got end of file
 * Branded (errors.ts), so `instanceof TraceFormatError` holds across two copies of core.
 */

import { HeaplabError, brandError } from '../errors.js';

/** Where in a trace something went wrong: a text line or a binary byte offset. */
export type TracePlace = { line: number } | { byte: number };

export class TraceFormatError extends HeaplabError {
  readonly line: number | null;
  readonly byte: number | null;
  constructor(
    readonly file: string,
    place: TracePlace,
    readonly expected: string,
    readonly got: string,
  ) {
    super(`${file}${'line' in place ? `:${place.line}` : `: byte ${place.byte}`}: expected ${expected}, got ${got}`);
    this.line = 'line' in place ? place.line : null;
    this.byte = 'byte' in place ? place.byte : null;
  }
}
brandError(TraceFormatError, 'TraceFormatError');

/** How a found token is shown in a message: quoted, cut at 40 characters. */
export function quoteToken(text: string): string {
  const t = text.length > 40 ? text.slice(0, 40) + '…' : text;
  return JSON.stringify(t);
}
