/*
 * Misuse case write-after-free-large (hardened_malloc test: write_after_free_large): write a large block after freeing it.
 * Why each preset gives its outcome: the freed region is remapped PROT_NONE and held in the region quarantine.
 */
import { test } from 'uvu';
import { misuseTests } from './expect.js';

misuseTests('write-after-free-large', {
  default: { code: 'segfault', message: /segmentation fault: write at .*---p .*zoned-classes#/ },
  light: { code: 'segfault', message: /segmentation fault: write at .*---p .*zoned-classes#/ },
});

test.run();
