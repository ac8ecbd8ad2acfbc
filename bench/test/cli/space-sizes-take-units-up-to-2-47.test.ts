import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseAddress, parseSize, parseSpaceMib } from '../../src/cli/options.js';
import { runCli } from '../helpers/run-cli.js';

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

test('maps and who take --space 128t and answer for addresses above 2^32', async () => {
  const maps = await runCli(['maps', '-a', 'zoned-classes', '-w', 'churn', '--ops', '2000', '--space', '128t']);
  assert.is(maps.code, 0, maps.err);
  const rw = maps.out.split('\n').find((l) => / rw-p /.test(l) && l.includes('zoned-classes'));
  assert.ok(rw, maps.out.slice(0, 2000));
  const start = parseInt(rw!.split('-')[0]!, 16);
  assert.ok(start > 2 ** 32, `a zone page sits above 2^32 in a 2^47 space, got 0x${start.toString(16)}`);
  const who = await runCli(['who', `0x${(start + 16).toString(16)}`, '-a', 'zoned-classes', '-w', 'churn', '--ops', '2000', '--space', '128t']);
  assert.is(who.code, 0, who.err);
  assert.match(who.out, new RegExp(`0x${(start + 16).toString(16)}: .*zoned-classes#`));
  const bad = await runCli(['who', '0x10', '-a', 'zoned-classes', '-w', 'churn', '--ops', '10', '--space', '5x']);
  assert.is(bad.code, 2, bad.out + bad.err);
  assert.match(bad.err, /--space: expected a size/);
});

test.run();
