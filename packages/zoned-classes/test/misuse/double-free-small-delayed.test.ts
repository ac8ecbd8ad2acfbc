/*
 * Misuse case double-free-small-delayed (hardened_malloc test: double_free_small_delayed): free p, free q, free p again.
 * Why each preset gives its outcome: p is still in the quarantine (default) or still free (light).
 */
import { test } from 'uvu';
import { misuseTests } from './expect.js';

misuseTests('double-free-small-delayed', {
  default: { code: 'double-free', message: /already free \(quarantine\)/ },
  light: { code: 'double-free', message: /a 48-byte slot that is already free \[/ },
});

test.run();
