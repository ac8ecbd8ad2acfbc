/*
 * Misuse case size-mismatch-small (hardened_malloc: "sized deallocation mismatch" from its free_sized check): free_sized with a wrong size.
 * Why each preset gives its outcome: the requested size of every slot is kept out of band.
 */
import { test } from 'uvu';
import { misuseTests } from './expect.js';

misuseTests('size-mismatch-small', {
  default: { code: 'size-mismatch', message: /free_sized\(0x[0-9a-f]+, 4096\) of a block of 32 bytes/ },
  light: { code: 'size-mismatch', message: /free_sized\(0x[0-9a-f]+, 4096\) of a block of 32 bytes/ },
});

test.run();
