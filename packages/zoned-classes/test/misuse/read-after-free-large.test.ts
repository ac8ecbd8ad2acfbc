/*
 * Misuse case read-after-free-large (hardened_malloc test: read_after_free_large): read a large block after freeing it.
 * Why each preset gives its outcome: the freed region is remapped PROT_NONE and held in the region quarantine.
 */
import { test } from 'uvu';
import { misuseTests } from './expect.js';

misuseTests('read-after-free-large', {
  default: { code: 'segfault', message: /segmentation fault: read at .*---p .*zoned-classes#/ },
  light: { code: 'segfault', message: /segmentation fault: read at .*---p .*zoned-classes#/ },
});

test.run();
