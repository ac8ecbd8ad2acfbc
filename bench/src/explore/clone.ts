/*
 * A deep copy of an object graph — an allocator, its wrappers, its space object and the replay's
 * own state — for the explorer's checkpoints (checkpoint.ts). Allocators keep their state partly
 * in the space's buffer and partly in JavaScript (typed arrays, Maps, class instances with
 * prototypes, frozen option objects); a checkpoint keeps a copy of both, and a restore copies the
 * checkpoint again, so the checkpoint itself is never run.
 *
 * What is copied: plain objects and class instances (same prototype, every own property with its
 * descriptor, frozen / sealed / non-extensible as the original), arrays, Maps, Sets, ArrayBuffers
 * and typed arrays and DataViews over them (a view's buffer is copied once, so views sharing a
 * buffer share its copy; an array's own properties other than its elements are not). What is shared, not copied: primitives, functions (a closure keeps the
 * objects it captured: the space's refresh listeners, which fire only when a wasm memory grows),
 * WeakMaps, WeakSets, WeakRefs and Promises, and whatever `shared` holds — the buffer of each
 * space (its pages are restored in place, checkpoint.ts) and every view over it. Private `#`
 * fields cannot be copied; no package of heaplab uses them (a test checks the copies work).
 * Sharing is kept: an object reached twice is copied once.
 */

/** Copies `root` deeply; objects in `shared` (and views over a buffer in it) are kept as they are. */
export function cloneGraph<T>(root: T, shared: ReadonlySet<object>): T {
  const memo = new Map<object, unknown>();
  const copy = (v: unknown): unknown => {
    if (v === null || (typeof v !== 'object' && typeof v !== 'function')) return v;
    if (typeof v === 'function') return v;
    const o = v as object;
    if (shared.has(o)) return o;
    const seen = memo.get(o);
    if (seen !== undefined) return seen;
    if (o instanceof WeakMap || o instanceof WeakSet || o instanceof Promise || (typeof WeakRef !== 'undefined' && o instanceof WeakRef)) return o;
    if (o instanceof ArrayBuffer) {
      const b = o.slice(0);
      memo.set(o, b);
      return b;
    }
    if (typeof SharedArrayBuffer !== 'undefined' && o instanceof SharedArrayBuffer) return o;
    if (ArrayBuffer.isView(o)) {
      if (shared.has(o.buffer)) return o;
      const buffer = copy(o.buffer) as ArrayBuffer;
      const Ctor = o.constructor as new (b: ArrayBuffer, offset: number, length: number) => ArrayBufferView;
      const length = o instanceof DataView ? o.byteLength : (o as unknown as { length: number }).length;
      const view = new Ctor(buffer, o.byteOffset, length);
      memo.set(o, view);
      return view;
    }
    if (Array.isArray(o)) {
      const a: unknown[] = new Array(o.length);
      memo.set(o, a);
      for (let i = 0; i < o.length; i++) if (i in o) a[i] = copy(o[i]);
      return a;
    }
    if (o instanceof Map) {
      const m = new Map();
      memo.set(o, m);
      for (const [k, x] of o) m.set(copy(k), copy(x));
      return m;
    }
    if (o instanceof Set) {
      const s = new Set();
      memo.set(o, s);
      for (const x of o) s.add(copy(x));
      return s;
    }
    const c = Object.create(Object.getPrototypeOf(o)) as object;
    memo.set(o, c);
    copyProperties(o, c, copy);
    if (Object.isFrozen(o)) Object.freeze(c);
    else if (Object.isSealed(o)) Object.seal(c);
    else if (!Object.isExtensible(o)) Object.preventExtensions(c);
    return c;
  };
  return copy(root) as T;
}

function copyProperties(from: object, to: object, copy: (v: unknown) => unknown): void {
  for (const key of Reflect.ownKeys(from)) {
    const d = Object.getOwnPropertyDescriptor(from, key)!;
    if ('value' in d) d.value = copy(d.value);
    Object.defineProperty(to, key, d);
  }
}
