import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseAddress, parseSize, parseSpaceMib } from '../../src/cli/options.js';

test('--space takes sizes with binary units up to 128t', () => {
  assert.is(parseSpaceMib({ space: '256m' }), 256);
  assert.is(parseSpaceMib({ space: '4g' }), 4096);
  assert.is(parseSpaceMib({ space: '4GiB' }), 4096);
  assert.is(parseSpaceMib({ space: '128t' }), 2 ** 27);
  assert.is(parseSpaceMib({ spaceMib: '64' }), 64);
  assert.is(parseSpaceMib({ spaceMib: String(2 ** 20) }), 2 ** 20, '--space-mib reaches paged sizes too');
  assert.is(parseSpaceMib({}), 4096);
  assert.is(parseSize('64k', '--x'), 65536);
});

test('bad --space values are refused with an error naming the flag and the forms it takes', () => {
  assert.throws(() => parseSpaceMib({ space: '4x' }), /--space: expected a size such as 4096, 256m, 4g or 128t/);
  assert.throws(() => parseSpaceMib({ space: '129t' }), /--space: expected a whole number of MiB from 1m to 128t/);
  assert.throws(() => parseSpaceMib({ space: '1000k' }), /whole number of MiB/);
  assert.throws(() => parseSpaceMib({ space: '4g', spaceMib: '64' }), /give one of them/);
  assert.throws(() => parseSpaceMib({ spaceMib: '0' }), /--space-mib: expected 1 to/);
});

test('addresses reach 2^47', () => {
  assert.is(parseAddress('0x7ffffffff000', '--at'), 2 ** 47 - 4096);
  assert.throws(() => parseAddress('0x800000000000', '--at'), /below 2\^47/);
});

test.run();
