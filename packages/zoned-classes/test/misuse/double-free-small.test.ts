/*
 * Misuse case double-free-small (hardened_malloc test: double_free_small): free a small block twice.
 * Why each preset gives its outcome: the slot is in the quarantine (default) or its bit is clear (light).
 */
import { test } from 'uvu';
import { misuseTests } from './expect.js';

misuseTests('double-free-small', {
  default: { code: 'double-free', message: /a 48-byte slot that is already free \(quarantine\)/ },
  light: { code: 'double-free', message: /a 48-byte slot that is already free \[/ },
});

test.run();
