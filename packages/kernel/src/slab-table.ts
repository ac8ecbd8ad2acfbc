/*
 * SlabTable: kmalloc's per-slab records (the kernel's struct slab), in growable typed arrays
 * indexed by a slab number, and the per-cache partial / full / empty lists through them.
 *
 * Layout: for slab s — pfn[s] its first frame, cache[s] its cache (−1: the record is unused),
 * free[s] the index + 1 of its first free object (0: none), inuse[s] objects handed out,
 * next[s]/prev[s] links on its list, list[s] which list (PARTIAL, FULL, EMPTY); state[s·maxObjects
 * + i] the state of object i (kmalloc.ts gives the values). Lists: heads[cache·3 + list] and
 * counts[cache·3 + list]. Unused records are kept on a stack and reused first; the arrays double
 * when every record is taken (a slab creation, never an allocation from a slab).
 *
 * Invariant: a used record is on exactly one list, the one list[s] names.
 */

export const PARTIAL = 0;
export const FULL = 1;
export const EMPTY = 2;

export class SlabTable {
  pfn: Int32Array;
  cache: Int8Array;
  free: Int32Array;
  inuse: Int32Array;
  next: Int32Array;
  prev: Int32Array;
  list: Int8Array;
  state: Uint16Array | Uint32Array;
  private readonly heads: Int32Array;
  private readonly counts: Int32Array;
  private unused: Int32Array;
  private unusedTop = 0;
  capacity = 0;

  constructor(
    caches: number,
    readonly maxObjects: number,
    private readonly maxState: number,
  ) {
    this.heads = new Int32Array(caches * 3).fill(-1);
    this.counts = new Int32Array(caches * 3);
    this.pfn = new Int32Array(0);
    this.cache = new Int8Array(0);
    this.free = new Int32Array(0);
    this.inuse = new Int32Array(0);
    this.next = new Int32Array(0);
    this.prev = new Int32Array(0);
    this.list = new Int8Array(0);
    this.state = maxState < 65536 ? new Uint16Array(0) : new Uint32Array(0);
    this.unused = new Int32Array(0);
    this.grow(64);
  }

  /** Bytes of every array. */
  get byteLength(): number {
    return this.pfn.byteLength + this.cache.byteLength + this.free.byteLength + this.inuse.byteLength + this.next.byteLength + this.prev.byteLength + this.list.byteLength + this.state.byteLength + this.unused.byteLength + this.heads.byteLength + this.counts.byteLength;
  }

  head(cache: number, list: number): number {
    return this.heads[cache * 3 + list]!;
  }

  count(cache: number, list: number): number {
    return this.counts[cache * 3 + list]!;
  }

  /** A record for a new slab at pfn of `cache`, every object never handed out, on the EMPTY list. */
  create(pfn: number, cache: number): number {
    if (this.unusedTop === 0) this.grow(this.capacity * 2);
    const s = this.unused[--this.unusedTop]!;
    this.pfn[s] = pfn;
    this.cache[s] = cache;
    this.free[s] = 0;
    this.inuse[s] = 0;
    this.state.fill(0, s * this.maxObjects, (s + 1) * this.maxObjects);
    this.push(s, cache, EMPTY);
    return s;
  }

  /** Takes slab s off its list and frees its record. */
  destroy(s: number, cache: number): void {
    this.unlink(s, cache);
    this.cache[s] = -1;
    this.unused[this.unusedTop++] = s;
  }

  /** Moves slab s to the head of another list of its cache. */
  move(s: number, cache: number, list: number): void {
    this.unlink(s, cache);
    this.push(s, cache, list);
  }

  private push(s: number, cache: number, list: number): void {
    const h = cache * 3 + list;
    const first = this.heads[h]!;
    this.list[s] = list;
    this.prev[s] = -1;
    this.next[s] = first;
    if (first >= 0) this.prev[first] = s;
    this.heads[h] = s;
    this.counts[h]!++;
  }

  private unlink(s: number, cache: number): void {
    const h = cache * 3 + this.list[s]!;
    const n = this.next[s]!;
    const p = this.prev[s]!;
    if (p >= 0) this.next[p] = n;
    else this.heads[h] = n;
    if (n >= 0) this.prev[n] = p;
    this.counts[h]!--;
  }

  private grow(capacity: number): void {
    const old = this.capacity;
    const copy = <T extends Int32Array | Int8Array | Uint16Array | Uint32Array>(a: T, make: (n: number) => T, per = 1): T => {
      const b = make(capacity * per);
      b.set(a);
      return b;
    };
    this.pfn = copy(this.pfn, (n) => new Int32Array(n));
    this.cache = copy(this.cache, (n) => new Int8Array(n).fill(-1));
    this.free = copy(this.free, (n) => new Int32Array(n));
    this.inuse = copy(this.inuse, (n) => new Int32Array(n));
    this.next = copy(this.next, (n) => new Int32Array(n));
    this.prev = copy(this.prev, (n) => new Int32Array(n));
    this.list = copy(this.list, (n) => new Int8Array(n));
    this.state = this.maxState < 65536 ? copy(this.state as Uint16Array, (n) => new Uint16Array(n), this.maxObjects) : copy(this.state as Uint32Array, (n) => new Uint32Array(n), this.maxObjects);
    const unused = new Int32Array(capacity);
    unused.set(this.unused.subarray(0, this.unusedTop));
    // New records, lowest number on top of the stack.
    let top = this.unusedTop;
    for (let s = capacity - 1; s >= old; s--) unused[top++] = s;
    this.unused = unused;
    this.unusedTop = top;
    this.capacity = capacity;
  }
}
