/*
 * Misuse case invalid-free-unaligned (hardened_malloc test: unaligned_free_small): free a pointer one byte into a live block.
 * Why each preset gives its outcome: located by arithmetic, not a slot boundary.
 */
import { test } from 'uvu';
import { misuseTests } from './expect.js';

misuseTests('invalid-free-unaligned', {
  default: { code: 'invalid-free', message: /not the start of a slot in use/ },
  light: { code: 'invalid-free', message: /not the start of a slot in use/ },
});

test.run();
