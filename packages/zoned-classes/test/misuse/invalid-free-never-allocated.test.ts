/*
 * Misuse case invalid-free-never-allocated (hardened_malloc test: invalid_free_small_region_far): free an address near a live block that malloc never returned.
 * Why each preset gives its outcome: p + 4096 + 48 is in a guard slab (default) or a slab never used (light).
 */
import { test } from 'uvu';
import { misuseTests } from './expect.js';

misuseTests('invalid-free-never-allocated', {
  default: { code: 'invalid-free', message: /not the start of a slot in use/ },
  light: { code: 'invalid-free', message: /not the start of a slot in use/ },
});

test.run();
