/*
 * VmapTree: vmalloc's free areas, as the kernel's free_vmap_area_root — an ordered tree keyed by
 * start, augmented with each subtree's largest free size (subtree_max_size), so the lowest-address
 * free area of at least N pages is found in one descent (find_vmap_lowest_match). Here the tree is
 * a treap (a binary search tree on start, a heap on seeded random priorities, so it stays
 * balanced in expectation) kept in typed arrays; units are pages of the vmalloc range.
 *
 * Layout per node n: start[n], size[n], left[n], right[n] (−1: none), prio[n], max[n] =
 * max(size[n], max[left], max[right]). Unused nodes are on a stack. Free areas never touch
 * (insert merges an area with the free areas ending at its start and starting at its end), so
 * the tree holds at most rangePages/2 + 1 nodes.
 *
 * Invariants (check() walks them): in-order starts increase and areas neither overlap nor touch;
 * parents' priorities are ≥ their children's; max[n] is the subtree's largest size.
 */

export class VmapTree {
  private readonly start: Int32Array;
  private readonly size: Int32Array;
  private readonly left: Int32Array;
  private readonly right: Int32Array;
  private readonly prio: Uint32Array;
  private readonly max: Int32Array;
  private readonly unused: Int32Array;
  private unusedTop = 0;
  private root = -1;
  private seed: number;
  private splitL = -1;
  private splitR = -1;
  /** Free areas in the tree. */
  areas = 0;

  constructor(capacity: number, seed = 0x9e3779b9) {
    this.start = new Int32Array(capacity);
    this.size = new Int32Array(capacity);
    this.left = new Int32Array(capacity);
    this.right = new Int32Array(capacity);
    this.prio = new Uint32Array(capacity);
    this.max = new Int32Array(capacity);
    this.unused = new Int32Array(capacity);
    for (let n = capacity - 1; n >= 0; n--) this.unused[this.unusedTop++] = n;
    this.seed = seed >>> 0 || 1;
  }

  /** Bytes of the tree's arrays. */
  get byteLength(): number {
    return this.start.byteLength * 7;
  }

  /** Largest free area, in pages (0 when none). */
  get largest(): number {
    return this.root < 0 ? 0 : this.max[this.root]!;
  }

  /** Start of the lowest free area of at least `need` pages, or −1; its size in `lastSize`. */
  lowestFit(need: number): number {
    let n = this.root;
    while (n >= 0) {
      const l = this.left[n]!;
      if (l >= 0 && this.max[l]! >= need) n = l;
      else if (this.size[n]! >= need) {
        this.lastSize = this.size[n]!;
        return this.start[n]!;
      } else {
        const r = this.right[n]!;
        n = r >= 0 && this.max[r]! >= need ? r : -1;
      }
    }
    return -1;
  }

  /** Size of the area `lowestFit` returned. */
  lastSize = 0;

  /** Takes [at, at + len) out of the free area starting at `areaStart` (of `areaSize` pages): the area leaves the tree, what is left of it on either side goes back. */
  carve(areaStart: number, areaSize: number, at: number, len: number): void {
    this.remove(areaStart);
    if (at > areaStart) this.insertNode(areaStart, at - areaStart);
    const end = areaStart + areaSize;
    if (at + len < end) this.insertNode(at + len, end - at - len);
  }

  /** Gives [at, at + len) back, merged with the free areas that end at `at` and start at its end. */
  release(at: number, len: number): void {
    let s = at;
    let z = len;
    const before = this.floor(at - 1);
    if (before >= 0 && this.start[before]! + this.size[before]! === at) {
      s = this.start[before]!;
      z += this.size[before]!;
      this.remove(s);
    }
    const after = this.find(at + len);
    if (after >= 0) {
      z += this.size[after]!;
      this.remove(at + len);
    }
    this.insertNode(s, z);
  }

  /** Every free area as [start, size], lowest first. */
  list(): Array<[number, number]> {
    const out: Array<[number, number]> = [];
    const walk = (n: number): void => {
      if (n < 0) return;
      walk(this.left[n]!);
      out.push([this.start[n]!, this.size[n]!]);
      walk(this.right[n]!);
    };
    walk(this.root);
    return out;
  }

  /** Throws Error naming the first broken invariant. */
  check(): void {
    let count = 0;
    let prevEnd = -1;
    const walk = (n: number): number => {
      if (n < 0) return 0;
      if (++count > this.start.length) throw new Error('vmap tree: loop');
      const l = this.left[n]!;
      const r = this.right[n]!;
      if ((l >= 0 && this.prio[l]! > this.prio[n]!) || (r >= 0 && this.prio[r]! > this.prio[n]!)) throw new Error(`vmap tree: heap order broken at area ${this.start[n]}`);
      const ml = walk(l);
      if (this.start[n]! <= prevEnd) throw new Error(`vmap tree: area ${this.start[n]} overlaps or touches the one before (ending ${prevEnd})`);
      if (this.size[n]! <= 0) throw new Error(`vmap tree: area ${this.start[n]} has size ${this.size[n]}`);
      prevEnd = this.start[n]! + this.size[n]!;
      const mr = walk(r);
      const m = Math.max(this.size[n]!, ml, mr);
      if (this.max[n] !== m) throw new Error(`vmap tree: subtree max at area ${this.start[n]} is ${this.max[n]}, not ${m}`);
      return m;
    };
    walk(this.root);
    if (count !== this.areas) throw new Error(`vmap tree: ${count} nodes, counted ${this.areas}`);
  }

  // ---------------------------------------------------------------- treap internals

  private random(): number {
    let x = this.seed;
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    this.seed = x >>> 0;
    return this.seed;
  }

  private update(n: number): void {
    let m = this.size[n]!;
    const l = this.left[n]!;
    const r = this.right[n]!;
    if (l >= 0 && this.max[l]! > m) m = this.max[l]!;
    if (r >= 0 && this.max[r]! > m) m = this.max[r]!;
    this.max[n] = m;
  }

  /** Splits n into keys < key (splitL) and ≥ key (splitR). */
  private split(n: number, key: number): void {
    if (n < 0) {
      this.splitL = this.splitR = -1;
      return;
    }
    if (this.start[n]! < key) {
      this.split(this.right[n]!, key);
      this.right[n] = this.splitL;
      this.update(n);
      this.splitL = n;
    } else {
      this.split(this.left[n]!, key);
      this.left[n] = this.splitR;
      this.update(n);
      this.splitR = n;
    }
  }

  /** Joins a (every key smaller) and b. */
  private merge(a: number, b: number): number {
    if (a < 0) return b;
    if (b < 0) return a;
    if (this.prio[a]! >= this.prio[b]!) {
      this.right[a] = this.merge(this.right[a]!, b);
      this.update(a);
      return a;
    }
    this.left[b] = this.merge(a, this.left[b]!);
    this.update(b);
    return b;
  }

  private insertNode(start: number, size: number): void {
    if (this.unusedTop === 0) throw new Error('vmap tree: out of nodes (areas would have to touch)');
    const n = this.unused[--this.unusedTop]!;
    this.start[n] = start;
    this.size[n] = size;
    this.max[n] = size;
    this.left[n] = this.right[n] = -1;
    this.prio[n] = this.random();
    this.split(this.root, start);
    const r = this.splitR;
    this.root = this.merge(this.merge(this.splitL, n), r);
    this.areas++;
  }

  private remove(start: number): void {
    this.split(this.root, start);
    const l = this.splitL;
    this.split(this.splitR, start + 1);
    const m = this.splitL;
    const r = this.splitR;
    if (m >= 0) {
      this.unused[this.unusedTop++] = m;
      this.areas--;
    }
    this.root = this.merge(l, r);
  }

  /** The node with the greatest start ≤ key, or −1. */
  private floor(key: number): number {
    let n = this.root;
    let best = -1;
    while (n >= 0) {
      if (this.start[n]! <= key) {
        best = n;
        n = this.right[n]!;
      } else n = this.left[n]!;
    }
    return best;
  }

  /** The node starting at key, or −1. */
  private find(key: number): number {
    const n = this.floor(key);
    return n >= 0 && this.start[n] === key ? n : -1;
  }
}
