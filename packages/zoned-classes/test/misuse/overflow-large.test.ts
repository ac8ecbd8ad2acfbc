/*
 * Misuse case overflow-large (hardened_malloc test: overflow_large_1_byte): write one byte past the usable end of a large block.
 * Why each preset gives its outcome: the usable size ends at the page where the guard starts.
 */
import { test } from 'uvu';
import { misuseTests } from './expect.js';

misuseTests('overflow-large', {
  default: { code: 'segfault', message: /segmentation fault: write at .*---p .*zoned-classes#/ },
  light: { code: 'segfault', message: /segmentation fault: write at .*---p .*zoned-classes#/ },
});

test.run();
