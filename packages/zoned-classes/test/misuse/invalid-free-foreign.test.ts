/*
 * Misuse case invalid-free-foreign (hardened_malloc test: invalid_free_protected): free memory another owner mapped.
 * Why each preset gives its outcome: outside the zones and not in the large table.
 */
import { test } from 'uvu';
import { misuseTests } from './expect.js';

misuseTests('invalid-free-foreign', {
  default: { code: 'invalid-free', message: /not a block of this allocator/ },
  light: { code: 'invalid-free', message: /not a block of this allocator/ },
});

test.run();
