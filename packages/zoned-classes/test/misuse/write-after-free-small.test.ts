/*
 * Misuse case write-after-free-small (hardened_malloc test: write_after_free_small_reuse): write into a freed small block, then allocate that size many times.
 * Why each preset gives its outcome: default: the slot sits in the quarantine (the case frees nothing more, so it never leaves); it is checked when the class commits its next slab. light: no check, the slot is simply reused.
 */
import { test } from 'uvu';
import { misuseTests } from './expect.js';

misuseTests('write-after-free-small', {
  default: { code: 'write-after-free', message: /detected write after free: the quarantined 48-byte slot/ },
  light: { undetected: true },
});

test.run();
