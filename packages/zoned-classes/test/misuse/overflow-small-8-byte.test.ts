/*
 * Misuse case overflow-small-8-byte (hardened_malloc test: overflow_small_8_byte): write eight bytes past the usable end, then free.
 * Why each preset gives its outcome: the whole canary is overwritten.
 */
import { test } from 'uvu';
import { misuseTests } from './expect.js';

misuseTests('overflow-small-8-byte', {
  default: { code: 'canary-corrupted', message: /canary corrupted/ },
  light: { code: 'canary-corrupted', message: /canary corrupted/ },
});

test.run();
