/*
 * Misuse case overflow-small-1-byte-realloc: write one byte past the usable end of a small block,
 * then realloc it to 200 bytes. Why each preset gives its outcome: realloc makes free's checks
 * (validateRelease: the slot is live, its canary intact) before it moves the block, so the
 * corrupted canary is raised before the 200-byte block is allocated.
 */
import { test } from 'uvu';
import { misuseTests } from './expect.js';

misuseTests('overflow-small-1-byte-realloc', {
  default: { code: 'canary-corrupted', message: /canary corrupted: the 8 bytes after the 24 usable bytes/ },
  light: { code: 'canary-corrupted', message: /canary corrupted: the 8 bytes after the 24 usable bytes/ },
});

test.run();
