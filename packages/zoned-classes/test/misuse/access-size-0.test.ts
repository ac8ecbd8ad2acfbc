/*
 * Misuse case access-size-0 (hardened_malloc test: read_zero_size): read the block malloc(0) returned.
 * Why each preset gives its outcome: class 0's slabs are never made accessible.
 */
import { test } from 'uvu';
import { misuseTests } from './expect.js';

misuseTests('access-size-0', {
  default: { code: 'segfault', message: /segmentation fault: read at .*---p .*zoned-classes#/ },
  light: { code: 'segfault', message: /segmentation fault: read at .*---p .*zoned-classes#/ },
});

test.run();
