/*
 * Misuse case overflow-small-1-byte (hardened_malloc test: overflow_small_1_byte): write one byte past the usable end, then free.
 * Why each preset gives its outcome: the canary's first byte is 0, so even a one-byte overflow changes it.
 */
import { test } from 'uvu';
import { misuseTests } from './expect.js';

misuseTests('overflow-small-1-byte', {
  default: { code: 'canary-corrupted', message: /canary corrupted: the 8 bytes after the 24 usable bytes/ },
  light: { code: 'canary-corrupted', message: /canary corrupted: the 8 bytes after the 24 usable bytes/ },
});

test.run();
