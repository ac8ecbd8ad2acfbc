/*
 * Reads back what vega drew in a report's SVG, for tests that check a plot's marks against its
 * data: each bar's rectangle (vega writes a bar as `M x,y h w v h h -w Z`) and the datum of its
 * aria-label ("field: value; field: value"), and each line's vertices (`M x,y L x,y …`).
 */

/** The parts of a linkedom element the readers use. */
export interface SvgNode {
  getAttribute(name: string): string | null;
  querySelectorAll(selector: string): ArrayLike<SvgNode> & Iterable<SvgNode>;
  textContent: string | null;
}

/** A bar as drawn: its rectangle and the datum of its label. */
export interface Bar {
  x: number;
  y: number;
  width: number;
  height: number;
  datum: Record<string, string>;
}

/** The fields of a vega aria-label: "a: 1; b: x" → { a: '1', b: 'x' }. */
export function labelDatum(label: string | null): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (label ?? '').split('; ')) {
    const i = part.indexOf(': ');
    if (i > 0) out[part.slice(0, i)] = part.slice(i + 2);
  }
  return out;
}

const NUM = /-?\d+(?:\.\d+)?(?:e[-+]?\d+)?/gi;

/** Every bar (rect mark) of an SVG, in drawing order. */
export function bars(svg: SvgNode): Bar[] {
  return [...svg.querySelectorAll('g.mark-rect path')].map((p) => {
    const d = p.getAttribute('d') ?? '';
    const m = /^M([^,]+),([^h]+)h([^v]+)v([^h]+)h/.exec(d);
    if (!m) throw new Error(`not a vega bar path: ${d}`);
    return { x: Number(m[1]), y: Number(m[2]), width: Number(m[3]), height: Number(m[4]), datum: labelDatum(p.getAttribute('aria-label')) };
  });
}

/** The vertices of a line path (`M x,y L x,y …`, or H/V steps) as [x, y] pairs. */
export function lineVertices(d: string): [number, number][] {
  const out: [number, number][] = [];
  let x = 0;
  let y = 0;
  for (const cmd of d.match(/[MLHV][^MLHVZ]*/g) ?? []) {
    const n = (cmd.slice(1).match(NUM) ?? []).map(Number);
    if (cmd[0] === 'M' || cmd[0] === 'L') for (let i = 0; i + 1 < n.length; i += 2) (x = n[i]!), (y = n[i + 1]!), out.push([x, y]);
    else if (cmd[0] === 'H') for (const v of n) (x = v), out.push([x, y]);
    else for (const v of n) (y = v), out.push([x, y]);
  }
  return out;
}

/** Drops each element equal to the one before it. */
export function runs<T>(xs: readonly T[], same: (a: T, b: T) => boolean = (a, b) => a === b): T[] {
  return xs.filter((v, i) => i === 0 || !same(xs[i - 1]!, v));
}

/**
 * True when `lengths` are in the same order as `values`: wherever one value is larger than
 * another (by more than `tolerance` of it), its length is larger too.
 */
export function sameOrder(values: readonly number[], lengths: readonly number[], tolerance = 1e-9): boolean {
  for (let i = 0; i < values.length; i++) {
    for (let j = 0; j < values.length; j++) {
      if (values[i]! > values[j]! * (1 + tolerance) && !(lengths[i]! > lengths[j]!)) return false;
    }
  }
  return true;
}
