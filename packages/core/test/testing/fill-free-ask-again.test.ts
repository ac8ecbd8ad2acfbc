// The conformance kit's recovery check ("fill, free everything, ask again") catches an allocator
// whose memory, once carved for one size, never serves another — unless that allocator declares
// so with oomRecovery: 'same-size', under which only the same request must succeed again.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { conformanceChecks, runRecoveryCheck, DEFAULT_RECOVERY } from '../../src/testing/index.js';
import { createAddressSpace } from '../../src/index.js';
import { ClassBoundAllocator } from '../fixtures/class-bound-allocator.js';
import { TinyAllocator } from '../fixtures/tiny-allocator.js';

const recoveryCheck = (options: Parameters<typeof conformanceChecks>[1]) =>
  conformanceChecks((space) => new ClassBoundAllocator(space), options).find((c) => c.name.startsWith('after filling the space'))!;

test('an allocator that never serves another size from memory carved for one fails the default check, naming the request', () => {
  const c = recoveryCheck({ name: 'class-bound' });
  assert.match(c.name, 'requests of other sizes succeed again');
  assert.throws(c.run, (e: Error) => /after filling a 64 MiB space with \d+ × malloc\(3000\) and freeing them all in allocation order, malloc\(204800\) returned 0/.test(e.message));
});

test("the same allocator passes with oomRecovery: 'same-size', and the check's name says so", () => {
  const c = recoveryCheck({ name: 'class-bound', oomRecovery: 'same-size' });
  assert.match(c.name, 'the same request succeeds again (oomRecovery: same-size)');
  c.run();
});

test('an allocator that gives everything back passes the default check', () => {
  runRecoveryCheck((size) => new TinyAllocator(createAddressSpace({ size }), 'none', 16 * 2 ** 20), DEFAULT_RECOVERY);
});

test('a request a fresh allocator cannot serve is reported as the space being too small, not as a recovery failure', () => {
  assert.throws(
    () => runRecoveryCheck((size) => new TinyAllocator(createAddressSpace({ size }), 'none', 4 * 2 ** 20), DEFAULT_RECOVERY),
    (e: Error) => /on a fresh allocator over a 64 MiB space \(set recoverySpaceSize larger/.test(e.message),
  );
});

test('bad recovery options are TypeErrors naming the option', () => {
  const make = (space: Parameters<Parameters<typeof conformanceChecks>[0]>[0]) => new TinyAllocator(space);
  assert.throws(() => conformanceChecks(make, { oomRecovery: 'some' as 'same-size' }), /oomRecovery must be 'any-size' or 'same-size'/);
  assert.throws(() => conformanceChecks(make, { recoverySpaceSize: -1 }), /recoverySpaceSize must be a positive integer/);
  assert.throws(() => conformanceChecks(make, { recoveryFills: [] }), /recoveryFills must be a non-empty array/);
  assert.throws(() => conformanceChecks(make, { recoveryRequests: [1.5] }), /recoveryRequests must be a non-empty array/);
});

test.run();
