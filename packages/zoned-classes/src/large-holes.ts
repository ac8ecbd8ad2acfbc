/*
 * The address ranges large regions gave back (unmapped on leaving the region quarantine, or at
 * once past the skip threshold), so the next regions are placed there instead of in address space
 * never used. Linux does the same for an mmap without a hint (top-down, the highest hole that
 * fits), and hardened_malloc leaves placement to the kernel; the delay before a range is reused
 * is the region quarantine's, unchanged.
 *
 * Why it matters for speed: the space is one host ArrayBuffer. A page of it that the host never
 * touched costs a host page fault on first access (microseconds on a virtual machine), and the
 * simulated kernel must know whether each writable page it gives back was written (to zero it).
 * Placing every region in fresh address space (next-fit down through 2 GiB) would make every
 * large free fault in its data pages; reused ranges are already backed.
 *
 * Layout: up to CAPACITY holes in two parallel arrays (first page, page count), unordered;
 * `count` live entries at the front. No JS object per hole. zoned-classes binds the arrays to
 * Uint32Array views of its state mapping (state.ts) in a flat space, so they live in the space;
 * unbound (a paged space, whose page numbers pass 2^32) they are float64 arrays of their own.
 *
 * Invariants: every entry has ≥ 1 page; entries do not overlap (a range is added once, when its
 * pages are unmapped, and take() removes what it hands out). An entry may be stale (something else
 * mapped there since): the space checks a hint before taking it, so a stale hole only costs the
 * fallback search.
 */

/** Holes remembered; when full, a new hole replaces the smallest one if it is larger. */
export const HOLES_CAPACITY = 256;
const CAPACITY = HOLES_CAPACITY;

export class LargeHoles {
  private first: Uint32Array | Float64Array = new Float64Array(CAPACITY);
  private pages: Uint32Array | Float64Array = new Float64Array(CAPACITY);
  count = 0;

  /** Uses these arrays (HOLES_CAPACITY cells each) from now on, keeping what they hold: bind once before use, rebind views of the same memory. */
  bind(first: Uint32Array | Float64Array, pages: Uint32Array | Float64Array): void {
    if (first.length !== CAPACITY || pages.length !== CAPACITY) throw new RangeError(`large holes: arrays of ${first.length} and ${pages.length} cells, expected ${CAPACITY}`);
    this.first = first;
    this.pages = pages;
  }

  /** Remembers pages [p, p + n) as unmapped, merged with the remembered holes just below and just above it. */
  add(p: number, n: number): void {
    if (n <= 0) return;
    const first = this.first;
    const pages = this.pages;
    let below = -1;
    let above = -1;
    for (let k = 0; k < this.count; k++) {
      if (first[k]! + pages[k]! === p) below = k;
      else if (p + n === first[k]!) above = k;
    }
    if (below >= 0 && above >= 0) {
      pages[below]! += n + pages[above]!;
      this.removeAt(above);
      return;
    }
    if (below >= 0) {
      pages[below]! += n;
      return;
    }
    if (above >= 0) {
      first[above] = p;
      pages[above]! += n;
      return;
    }
    if (this.count < CAPACITY) {
      first[this.count] = p;
      pages[this.count++] = n;
      return;
    }
    let small = 0;
    for (let k = 1; k < CAPACITY; k++) if (pages[k]! < pages[small]!) small = k;
    if (pages[small]! < n) {
      first[small] = p;
      pages[small] = n;
    }
  }

  private removeAt(k: number): void {
    this.count--;
    this.first[k] = this.first[this.count]!;
    this.pages[k] = this.pages[this.count]!;
  }

  /**
   * First page of an n-page run taken from the smallest hole that holds it (its top end, as a
   * top-down kernel would), or −1 when no hole is large enough.
   */
  take(n: number): number {
    const pages = this.pages;
    let best = -1;
    for (let k = 0; k < this.count; k++) {
      if (pages[k]! >= n && (best < 0 || pages[k]! < pages[best]!)) best = k;
    }
    if (best < 0) return -1;
    const left = pages[best]! - n;
    const at = this.first[best]! + left;
    if (left > 0) pages[best] = left;
    else this.removeAt(best);
    return at;
  }

  /** Forgets every hole. */
  clear(): void {
    this.count = 0;
  }
}
