/*
 * node:buffer for the explorer's browser bundle: the part of Buffer that heaplab's packages use
 * (Buffer.from over an ArrayBuffer or a string, Buffer.alloc, compare as memcmp over ranges,
 * equals, toString as utf8, latin1 or hex), as a Uint8Array subclass. Plain JavaScript: its
 * statics differ from Uint8Array's, which TypeScript would refuse. bench/test/explore checks it
 * against Node's Buffer.
 */

const utf8 = new TextDecoder('utf-8');
const encoder = new TextEncoder();

export class Buffer extends Uint8Array {
  /** Buffer.from(arrayBuffer[, byteOffset[, length]]), Buffer.from(string[, 'utf8']), Buffer.from(array or view) (copied). */
  static from(source, offsetOrEncoding, length) {
    if (source instanceof ArrayBuffer || (typeof SharedArrayBuffer !== 'undefined' && source instanceof SharedArrayBuffer)) {
      const offset = typeof offsetOrEncoding === 'number' ? offsetOrEncoding : 0;
      return new Buffer(source, offset, length ?? source.byteLength - offset);
    }
    if (typeof source === 'string') {
      if (offsetOrEncoding !== undefined && offsetOrEncoding !== 'utf8' && offsetOrEncoding !== 'utf-8') throw new TypeError(`Buffer.from: encoding ${offsetOrEncoding} is not supported in the browser`);
      const b = encoder.encode(source);
      return new Buffer(b.buffer, b.byteOffset, b.length);
    }
    const b = new Buffer(source.length);
    b.set(source);
    return b;
  }

  static alloc(n) {
    return new Buffer(n);
  }

  /** memcmp of target[targetStart, targetEnd) against this[sourceStart, sourceEnd): −1, 0 or 1. */
  compare(target, targetStart = 0, targetEnd = target.length, sourceStart = 0, sourceEnd = this.length) {
    const n = Math.min(targetEnd - targetStart, sourceEnd - sourceStart);
    let i = 0;
    const aligned = (this.byteOffset + sourceStart) % 4 === 0 && (target.byteOffset + targetStart) % 4 === 0;
    if (aligned && n >= 64) {
      const words = n >>> 2;
      const a = new Uint32Array(this.buffer, this.byteOffset + sourceStart, words);
      const b = new Uint32Array(target.buffer, target.byteOffset + targetStart, words);
      let w = 0;
      while (w < words && a[w] === b[w]) w++;
      i = w << 2;
    }
    for (; i < n; i++) {
      const x = this[sourceStart + i];
      const y = target[targetStart + i];
      if (x !== y) return x < y ? -1 : 1;
    }
    const la = sourceEnd - sourceStart;
    const lb = targetEnd - targetStart;
    return la === lb ? 0 : la < lb ? -1 : 1;
  }

  equals(other) {
    return this.length === other.length && this.compare(other) === 0;
  }

  toString(encoding = 'utf8', start = 0, end = this.length) {
    const view = this.subarray(start, end);
    if (encoding === 'utf8' || encoding === 'utf-8') return utf8.decode(view);
    if (encoding === 'latin1' || encoding === 'binary') {
      let s = '';
      for (let i = 0; i < view.length; i += 8192) s += String.fromCharCode.apply(null, view.subarray(i, i + 8192));
      return s;
    }
    if (encoding === 'hex') return Array.from(view, (b) => b.toString(16).padStart(2, '0')).join('');
    throw new TypeError(`Buffer.toString: encoding ${encoding} is not supported in the browser`);
  }
}
