/*
 * Where each configuration value came from: a line of the file, an environment variable, or a
 * default. The file is read with jsonc-parser (comments and trailing commas allowed), which
 * keeps each node's offset, so any key path maps back to its line.
 *
 * Paths are arrays of segments (`['allocators', 'dlmalloc-style', 'mmapThreshold']`), shown
 * joined by dots.
 */

import { findNodeAtLocation, parseTree, printParseErrorCode, type Node, type ParseError } from 'jsonc-parser';
import { relative } from 'node:path';
import { ConfigError } from '../errors.js';

/** The origin of a value. */
export type Source =
  | { kind: 'file'; file: string; line: number }
  | { kind: 'env'; variable: string }
  | { kind: 'default' };

/** A path as people read it: `allocators.dlmalloc-style.mmapThreshold`. */
export function pathText(path: readonly (string | number)[]): string {
  return path.length === 0 ? '(top level)' : path.map(String).join('.');
}

/** A file name as messages show it: relative to the working directory when inside it. */
export function shortFile(file: string): string {
  const r = relative(process.cwd(), file);
  return r && !r.startsWith('..') ? r : file;
}

/** A source as messages show it: `heaplab.config.json:12`, `environment variable HEAPLAB_FUZZ__RUNS`, `default`. */
export function sourceText(s: Source): string {
  switch (s.kind) {
    case 'file':
      return `${shortFile(s.file)}:${s.line}`;
    case 'env':
      return `environment variable ${s.variable}`;
    case 'default':
      return 'default';
  }
}

/** A parsed file: its value and the line of any path in it. */
export class FileTree {
  private readonly lineStarts: number[] = [0];

  private constructor(
    readonly file: string,
    private readonly text: string,
    private readonly root: Node | undefined,
    readonly value: unknown,
  ) {
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) this.lineStarts.push(i + 1);
  }

  /** Parses the text of a configuration file; a syntax error is a ConfigError with its line. */
  static parse(file: string, text: string): FileTree {
    const errors: ParseError[] = [];
    const root = parseTree(text, errors, { allowTrailingComma: true, disallowComments: false });
    const tree = new FileTree(file, text, root, undefined);
    if (errors.length > 0) {
      const e = errors[0]!;
      throw new ConfigError('(file)', `${shortFile(file)}:${tree.lineOf(e.offset)}`, `valid JSON (${printParseErrorCode(e.error)})`);
    }
    if (!root || root.type !== 'object') throw new ConfigError('(top level)', `${shortFile(file)}:1`, 'a JSON object');
    return new FileTree(file, text, root, nodeValue(root));
  }

  /** 1-based line of an offset. */
  lineOf(offset: number): number {
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (this.lineStarts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  }

  /** The source of the deepest node of `path` present in the file (the key's line), or null when none is. */
  sourceOf(path: readonly (string | number)[]): Source | null {
    if (!this.root) return null;
    for (let n = path.length; n >= 0; n--) {
      const node = findNodeAtLocation(this.root, path.slice(0, n) as (string | number)[]);
      if (node) {
        const at = node.parent?.type === 'property' ? node.parent.offset : node.offset;
        return { kind: 'file', file: this.file, line: this.lineOf(at) };
      }
    }
    return null;
  }

  /** The source of a key that may not be in the file under its parent object (unrecognized keys). */
  sourceOfKey(parent: readonly (string | number)[], key: string): Source | null {
    return this.sourceOf([...parent, key]);
  }
}

function nodeValue(n: Node): unknown {
  switch (n.type) {
    case 'object': {
      const o: Record<string, unknown> = {};
      for (const p of n.children ?? []) {
        const [k, v] = p.children ?? [];
        if (k && v) o[k.value as string] = nodeValue(v);
      }
      return o;
    }
    case 'array':
      return (n.children ?? []).map(nodeValue);
    default:
      return n.value;
  }
}
