/*
 * Misuse case double-free-large (hardened_malloc test: double_free_large): free a large block twice.
 * Why each preset gives its outcome: both presets keep freed large regions in the region quarantine, marked in the table.
 */
import { test } from 'uvu';
import { misuseTests } from './expect.js';

misuseTests('double-free-large', {
  default: { code: 'double-free', message: /a large region already freed \(quarantine\)/ },
  light: { code: 'double-free', message: /a large region already freed \(quarantine\)/ },
});

test.run();
