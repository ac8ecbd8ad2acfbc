/*
 * Misuse case invalid-free-interior (hardened_malloc test: invalid_free_small_region): free a pointer 16 bytes into a live block.
 * Why each preset gives its outcome: p + 16 is not a slot boundary of the 80-byte class.
 */
import { test } from 'uvu';
import { misuseTests } from './expect.js';

misuseTests('invalid-free-interior', {
  default: { code: 'invalid-free', message: /not the start of a slot in use/ },
  light: { code: 'invalid-free', message: /not the start of a slot in use/ },
});

test.run();
